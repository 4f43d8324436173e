import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type DefaultTheme } from 'vitepress';
import { withMermaid } from 'vitepress-plugin-mermaid';
import { githubSlug, siteSlug } from './slug';

// The API reference's pages, as TypeDoc lists them (npm run docs:build runs it first; the pages and
// this list are generated, not committed). Without them the API entry is its landing page alone.
const apiSidebarFile = fileURLToPath(
  new URL('../reference/api/typedoc-sidebar.json', import.meta.url),
);
const typedocSidebar: DefaultTheme.SidebarItem[] = existsSync(apiSidebarFile)
  ? JSON.parse(readFileSync(apiSidebarFile, 'utf8'))
  : [];
// TypeDoc nests the subpath entry points under the main one; the sidebar lists them side by side,
// by the names they are imported from.
const apiSidebar = typedocSidebar.flatMap(({ items, collapsed: _collapsed, ...entry }) => [
  entry,
  ...(items ?? []).map((item) => ({ ...item, text: `${entry.text}/${item.text}` })),
]);

// The site's map. Every page of docs/ is reachable from this sidebar; the browser test follows it.
const sidebar = [
  {
    text: 'Start',
    items: [
      { text: 'What it does', link: '/start/' },
      { text: 'Install', link: '/start/install' },
      { text: 'Quick start', link: '/start/quick-start' },
      { text: 'The sample app', link: '/start/sample-app' },
    ],
  },
  {
    text: 'Identity providers',
    collapsed: false,
    items: [
      { text: 'Microsoft Entra ID', link: '/guides/providers/entra-id' },
      { text: 'Auth0', link: '/guides/providers/auth0' },
      { text: 'Keycloak', link: '/guides/providers/keycloak' },
      { text: 'Okta', link: '/guides/providers/okta' },
      { text: 'Amazon Cognito', link: '/guides/providers/cognito' },
      { text: 'Google', link: '/guides/providers/google' },
      { text: 'Any OpenID Connect issuer', link: '/guides/providers/any-oidc' },
    ],
  },
  {
    text: 'Transports',
    collapsed: false,
    items: [
      { text: 'HTTP: Express and Fastify', link: '/guides/transports/http' },
      { text: 'WebSocket and socket.io', link: '/guides/transports/websocket' },
      { text: 'GraphQL', link: '/guides/transports/graphql' },
      { text: 'Microservices', link: '/guides/transports/microservices' },
      { text: 'Passport (AuthGuard)', link: '/guides/transports/passport' },
    ],
  },
  {
    text: 'Guides',
    collapsed: false,
    items: [
      { text: 'Policies and step-up', link: '/guides/policies' },
      { text: 'Sender-constrained tokens', link: '/guides/sender-constrained' },
      { text: 'Opaque tokens', link: '/guides/opaque-tokens' },
      { text: 'Revocation', link: '/guides/revocation' },
      { text: 'MCP servers', link: '/guides/mcp' },
      { text: 'Runtime trust', link: '/guides/runtime-trust' },
      { text: 'Rate limits', link: '/guides/rate-limits' },
      { text: 'Calling downstream APIs', link: '/guides/downstream' },
      { text: 'Testing your app', link: '/guides/testing' },
      { text: 'Production checklist', link: '/guides/production' },
      { text: 'Troubleshooting', link: '/guides/troubleshooting' },
    ],
  },
  {
    text: 'Reference',
    collapsed: false,
    items: [
      { text: 'Options', link: '/reference/options' },
      { text: 'Decorators', link: '/reference/decorators' },
      { text: 'Reason codes', link: '/reference/reason-codes' },
      {
        text: 'API',
        link: '/reference/api/',
        ...(apiSidebar.length > 0 ? { collapsed: true, items: apiSidebar } : {}),
      },
    ],
  },
  {
    text: 'Project',
    items: [
      { text: 'Architecture', link: '/architecture' },
      { text: 'Performance', link: '/performance' },
    ],
  },
];

// VitePress: pages stay plain Markdown that reads the same on GitHub, search and light and dark
// themes come with its default theme, and TypeDoc and Mermaid have plugins for it; Docusaurus would
// bring React and webpack for the same site.
export default withMermaid(
  defineConfig({
    title: 'nest-oidc-auth',
    description: 'OAuth 2.0 / OpenID Connect resource server for NestJS',
    // Relative links from README.md (../docs/...) and between pages resolve in the repository and
    // in the built site alike because pages keep their source paths.
    cleanUrls: true,
    lastUpdated: false,
    srcExclude: ['**/README.md'],
    // Heading anchors as GitHub makes them, so `page.md#heading` links work in both places; TypeDoc's
    // generated API pages keep VitePress's own, which their links were written for.
    markdown: {
      anchor: { slugifyWithState: (text, state) => siteSlug(text, state.env?.relativePath) },
      toc: { slugify: githubSlug },
    },
    themeConfig: {
      nav: [
        { text: 'Start', link: '/start/' },
        { text: 'Guides', link: '/guides/policies' },
        { text: 'Reference', link: '/reference/options' },
      ],
      sidebar,
      // Built into the site (MiniSearch): works offline, needs no hosted search account.
      search: { provider: 'local' },
      outline: [2, 3],
    },
    mermaid: {},
    // Not the class `mermaid`: Mermaid itself, on the window's load event, would parse every element
    // of that class before the plugin's component draws it, flashing a syntax-error diagram.
    mermaidPlugin: { class: 'mermaid-diagram' },
  }),
);
