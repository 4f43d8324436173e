// Generates docs/reference/options.md from the option types in lib/: every property of the module's
// options (and of every options interface they lead to), of the subpath modules' and adapters', of the
// presets' and the clients', with its type, its default and its JSDoc. `--check` fails when the page
// differs from what lib/ says now; test/unit/docs/options-reference.spec.ts does the same in the suite.
//
//     node scripts/docs-options.mjs            # write the page
//     node scripts/docs-options.mjs --check    # fail if it is stale
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';
import ts from 'typescript';

const defaultRoot = join(import.meta.dirname, '..');
export const PAGE = 'docs/reference/options.md';

// Where each options type of the public surface is documented, in page order. The module's options
// come first; the types they lead to (IssuerOptions, DPoPOptions ...) get their section where they are
// first reached, under the path they are set at. Every exported type named `*Options` must be listed
// here or be reached from one that is: generation fails otherwise, so a new one cannot go missing.
export const GROUPS = [
  {
    title: 'OidcAuthModule.forRoot()',
    intro:
      'What `OidcAuthModule.forRoot({ ... })` takes, and what the factory of `forRootAsync({ useFactory })` returns. Paths are as you write them: `issuers[].audience` is the `audience` of each entry of `issuers`.',
    types: ['OidcAuthModuleOptions', 'OidcAuthModuleExtras'],
  },
  {
    title: 'Subpath modules and adapters',
    intro:
      'Options of the optional entry points. `nest-oidc-auth/throttler` (`OidcThrottlerGuard`) and `nest-oidc-auth/health` (`OidcAuthHealthIndicator`) take none: they read the module’s options.',
    types: [
      'OidcMcpOptions',
      'McpEndpointOptions',
      'OidcWsAdapterOptions',
      'OidcIoAdapterOptions',
      'RedisStoreOptions',
      'MemoryStoreOptions',
      'OpenApiSecurityOptions',
    ],
  },
  {
    title: 'Identity provider presets',
    intro:
      'The arguments of `oidc()`, `azureAd()`, `auth0()`, `keycloak()`, `okta()`, `cognito()` and `google()`, which return `issuers` entries.',
    types: [
      'OidcPresetOptions',
      'AzureAdOptions',
      'Auth0Options',
      'KeycloakOptions',
      'OktaOptions',
      'CognitoOptions',
      'GoogleOptions',
      'GoogleAccessTokenOptions',
    ],
  },
  {
    title: 'Calling downstream APIs',
    intro: '`TokenClient`, `azureAdTokenClient()` and `authorizedFetch()`.',
    types: [
      'TokenClientOptions',
      'AzureAdTokenClientOptions',
      'AuthorizedFetchOptions',
      'DpopClientOptions',
    ],
  },
  {
    title: 'Verification without the module',
    intro: 'The building blocks for verifying tokens outside `OidcAuthModule`.',
    types: ['OpaqueTokenVerifierOptions', 'DPoPReplayOptions', 'ChallengeOptions'],
  },
  {
    title: 'Testing',
    intro: 'Options of `nest-oidc-auth/testing`.',
    types: ['MintOptions', 'TestDpopProofOptions'],
  },
];

// Exported `*Options` types that are not set by the application, and so not on the page.
const NOT_OPTIONS = new Set([
  // What `graphqlWsAuthentication()` returns, to be spread into the graphql-ws server's options.
  'GraphQLWsAuthenticationOptions',
]);

/** The entry points of the package, as their sources in lib/. */
export function entryPoints(root = defaultRoot) {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return Object.entries(manifest.exports)
    .filter(([, target]) => typeof target === 'object')
    .map(([subpath, target]) => ({
      name: join(manifest.name, subpath),
      file: join(
        root,
        target.import.types.replace(/^\.\/dist\//, 'lib/').replace(/\.d\.ts$/, '.ts'),
      ),
    }));
}

function createProgram(root, files) {
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  return ts.createProgram(files, { ...options, noEmit: true, types: ['node'] });
}

const oneLine = (text) => text.replace(/\s*\n\s*/g, ' ').trim();

/** Markdown outside code spans: `<` would open HTML (and Vue) in the site, `|` a table cell. */
function escapeText(text) {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, '&lt;').replace(/\{\{/g, '{ {')))
    .join('')
    .replace(/\|/g, '\\|');
}

function code(text) {
  return `\`${oneLine(text).replace(/\|/g, '\\|')}\``;
}

/** A property's JSDoc: its text and tags. */
function docOf(checker, symbol) {
  const text = ts.displayPartsToString(symbol.getDocumentationComment(checker));
  const tags = Object.fromEntries(
    symbol.getJsDocTags(checker).map((tag) => [tag.name, ts.displayPartsToString(tag.text ?? [])]),
  );
  return { text: oneLine(text), tags };
}

// The part of a description that states the default: "Default 60.", "Default: every asymmetric one
// (RS, PS, ES).", "(default `/ssf/events`)", "`allowed` (default): ...", "Off unless set.".
export function defaultOf(description, tags = {}) {
  if (tags.default !== undefined) return oneLine(tags.default);
  const start = /(?:^|[.;]\s+)Default:?\s+/.exec(description);
  if (start) return clauseAt(description, start.index + start[0].length);
  const named = /(`[^`]+`) \((?:the )?default\)/.exec(description);
  if (named) return named[1];
  if (/\b(Off|off) (unless|by default)/.test(description)) return 'off';
  if (/\bOn by default\b/.test(description)) return 'on';
  return undefined;
}

// The text from `from` to the end of its sentence or clause, code spans and parentheses kept whole.
function clauseAt(text, from) {
  let depth = 0;
  let inCode = false;
  for (let i = from; i < text.length; i += 1) {
    const c = text[i];
    if (c === '`') inCode = !inCode;
    if (inCode) continue;
    if (c === '(') depth += 1;
    if (c === ')' && depth-- === 0) return text.slice(from, i).trim();
    if (depth > 0) continue;
    if (c === ';' || (':.'.includes(c) && (i + 1 === text.length || text[i + 1] === ' '))) {
      return text.slice(from, i).trim();
    }
  }
  return text.slice(from).trim();
}

/** The object type a property leads to, and how its path continues: `[]` for arrays, `.<name>` for records. */
function targetsOf(node) {
  if (!node) return [];
  if (ts.isParenthesizedTypeNode(node) || ts.isTypeOperatorNode(node)) return targetsOf(node.type);
  if (ts.isArrayTypeNode(node)) return targetsOf(node.elementType).map(arrayOf);
  if (ts.isUnionTypeNode(node)) {
    const all = node.types.flatMap(targetsOf);
    // `X | readonly X[]` (issuers): one target, written as the array.
    const seen = new Map();
    for (const t of all) {
      const key = t.node;
      const previous = seen.get(key);
      if (!previous || t.suffix.length > previous.suffix.length) seen.set(key, t);
    }
    return [...seen.values()];
  }
  if (ts.isTypeLiteralNode(node)) return [{ node, suffix: '' }];
  if (ts.isTypeReferenceNode(node)) {
    const name = node.typeName.getText();
    const args = node.typeArguments ?? [];
    if ((name === 'ReadonlyArray' || name === 'Array') && args.length === 1) {
      return targetsOf(args[0]).map(arrayOf);
    }
    if (name === 'Readonly' && args.length === 1) return targetsOf(args[0]);
    if (name === 'Record' && args.length === 2) {
      return targetsOf(args[1]).map((t) => ({ ...t, suffix: `.<name>${t.suffix}` }));
    }
    return [{ node, suffix: '' }];
  }
  return [];
}

function arrayOf(target) {
  return { ...target, suffix: `[]${target.suffix}` };
}

export async function generateOptionsReference(root = defaultRoot) {
  const entries = entryPoints(root);
  const program = createProgram(
    root,
    entries.map((e) => e.file),
  );
  const checker = program.getTypeChecker();
  const inLib = (declaration) =>
    !relative(join(root, 'lib'), declaration.getSourceFile().fileName).startsWith('..');

  // Every exported symbol of every entry point, by name.
  const exported = new Map();
  for (const entry of entries) {
    const source = program.getSourceFile(entry.file);
    if (!source) throw new Error(`${entry.file} is missing`);
    for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(source))) {
      const target =
        symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      if (!exported.has(symbol.name))
        exported.set(symbol.name, { symbol: target, entry: entry.name });
    }
  }

  /** An options interface or type alias of lib/, made of properties only (no methods, not callable). */
  function optionsSymbolOf(node) {
    if (!ts.isTypeReferenceNode(node)) return undefined;
    let symbol = checker.getSymbolAtLocation(node.typeName);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    const declaration = symbol?.declarations?.[0];
    if (!declaration || !inLib(declaration)) return undefined;
    if (!ts.isInterfaceDeclaration(declaration) && !ts.isTypeAliasDeclaration(declaration)) {
      return undefined;
    }
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    const parts = type.isUnion() ? type.types : [type];
    const plain = parts.every(
      (part) =>
        part.flags & ts.TypeFlags.Object &&
        part.getCallSignatures().length === 0 &&
        part.getProperties().length > 0 &&
        part.getProperties().every((p) => !(p.flags & ts.SymbolFlags.Method)),
    );
    return plain ? symbol : undefined;
  }

  const sections = [];
  const sectionOf = new Map();

  /** The section of a named options type, made (with the sections it leads to) on first reach. */
  function addSection(symbol, path, group) {
    if (sectionOf.has(symbol)) return sectionOf.get(symbol);
    const doc = docOf(checker, symbol);
    const section = { name: symbol.name, path, group, description: doc.text, rows: [] };
    sectionOf.set(symbol, section);
    sections.push(section);
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    const parts = type.isUnion() ? type.types : [type];
    const pending = [];
    if (parts.length > 1) {
      section.shapes = parts.map(
        (part) =>
          `{ ${checker
            .getPropertiesOfType(part)
            .map((p) => `${p.name}${p.flags & ts.SymbolFlags.Optional ? '?' : ''}`)
            .join(', ')} }`,
      );
    }
    for (const part of parts) {
      for (const property of checker.getPropertiesOfType(part)) {
        addRow(section, property, path, pending);
      }
    }
    for (const next of pending) next();
    return section;
  }

  function addRow(section, property, prefix, pending) {
    const declaration = property.valueDeclaration ?? property.declarations?.[0];
    const optional = (property.flags & ts.SymbolFlags.Optional) !== 0;
    const doc = docOf(checker, property);
    const typeNode = declaration && 'type' in declaration ? declaration.type : undefined;
    const typeText = typeNode
      ? typeNode.getText()
      : checker.typeToString(checker.getTypeOfSymbol(property));
    const path = `${prefix}${prefix ? '.' : ''}${property.name}`;
    const row = {
      path,
      type: ts.isTypeLiteralNode(typeNode ?? ts.factory.createTypeLiteralNode([]))
        ? 'object'
        : typeText,
      required: !optional,
      default: defaultOf(doc.text, doc.tags),
      description: doc.text,
      link: undefined,
    };
    section.rows.push(row);
    for (const target of targetsOf(typeNode)) {
      if (ts.isTypeLiteralNode(target.node)) {
        // An inline object: its properties follow as rows of this section.
        for (const member of target.node.members) {
          const symbol = member.symbol ?? checker.getSymbolAtLocation(member.name);
          if (symbol) addRow(section, symbol, `${path}${target.suffix}`, pending);
        }
        continue;
      }
      const symbol = optionsSymbolOf(target.node);
      if (symbol) {
        row.link = symbol;
        pending.push(() => addSection(symbol, `${path}${target.suffix}`, section.group));
      }
    }
  }

  for (const group of GROUPS) {
    for (const name of group.types) {
      const found = exported.get(name);
      if (!found) throw new Error(`${name} (GROUPS in scripts/docs-options.mjs) is not exported`);
      const section = addSection(found.symbol, '', group.title);
      section.root = true;
      section.entry = found.entry;
    }
  }
  const missing = [...exported.entries()]
    .filter(
      ([name, { symbol }]) =>
        /Options$/.test(name) &&
        !NOT_OPTIONS.has(name) &&
        symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias) &&
        !sectionOf.has(symbol),
    )
    .map(([name]) => name);
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(', ')}: exported options types missing from GROUPS in scripts/docs-options.mjs`,
    );
  }
  const file = join(root, PAGE);
  const config = (await prettier.resolveConfig(file)) ?? {};
  const markdown = await prettier.format(render(sections, sectionOf), {
    ...config,
    filepath: file,
  });
  return { sections, markdown };
}

function anchorOf(section) {
  return section.name.toLowerCase();
}

function render(sections, sectionOf) {
  const lines = [
    '<!-- Generated by scripts/docs-options.mjs from the types in lib/: edit their JSDoc, then run npm run docs:options. -->',
    '',
    '# Options',
    '',
    'Every option, generated from the types and their documentation comments in `lib/`, so this page says what the code you install accepts. A test fails when it falls behind. Defaults are those the comments state; "—" means the option has none (unset is its own behaviour, described beside it). Required options are marked **required**.',
    '',
    'For what the options are for, start with the guides: [policies](../guides/policies.md), [sender-constrained tokens](../guides/sender-constrained.md), [opaque tokens](../guides/opaque-tokens.md), [revocation](../guides/revocation.md), [MCP servers](../guides/mcp.md), [runtime trust](../guides/runtime-trust.md) and the [production checklist](../guides/production.md). The [API reference](./api/index.md) has every exported type.',
    '',
  ];
  for (const group of GROUPS) {
    lines.push(`## ${group.title}`, '', group.intro, '');
    for (const section of sections.filter((s) => s.group === group.title)) {
      const where = section.root
        ? `\`${section.name}\`${section.entry === 'nest-oidc-auth' ? '' : ` (from \`${section.entry}\`)`}`
        : `\`${section.path}\`: \`${section.name}\``;
      lines.push(`### ${section.name} {#${anchorOf(section)}}`, '');
      if (!section.root) lines.push(`Set at ${where}.`, '');
      else if (section.entry !== 'nest-oidc-auth')
        lines.push(`Imported from \`${section.entry}\`.`, '');
      if (section.description) lines.push(escapeText(section.description), '');
      if (section.shapes) {
        const shapes = section.shapes.map((shape) => `\`${shape}\``).join(' or ');
        lines.push(`One of ${shapes}: **required** holds within the shape.`, '');
      }
      lines.push('| Option | Type | Default | Description |', '| --- | --- | --- | --- |');
      for (const row of section.rows) {
        const linked = row.link && sectionOf.get(row.link);
        const description = [
          row.required ? '**required**' : '',
          escapeText(row.description),
          linked ? `See [${linked.name}](#${anchorOf(linked)}).` : '',
        ]
          .filter(Boolean)
          .join(' ');
        lines.push(
          `| ${code(row.path)} | ${code(row.type)} | ${row.default ? escapeText(row.default) : '—'} | ${description} |`,
        );
      }
      lines.push('');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { markdown } = await generateOptionsReference();
  const file = join(defaultRoot, PAGE);
  if (process.argv.includes('--check')) {
    if (readFileSync(file, 'utf8') !== markdown) {
      process.stderr.write(`${PAGE} is stale: run npm run docs:options and commit it.\n`);
      process.exit(1);
    }
  } else {
    writeFileSync(file, markdown);
  }
}
