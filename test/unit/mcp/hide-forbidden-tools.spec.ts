import { OidcPrincipal } from '../../../lib/core/claims/principal.js';
import { hideForbiddenTools } from '../../../lib/mcp/hide-forbidden-tools.js';
import { hideTools, mcpAuthInfo, mcpPrincipal } from '../../../lib/mcp/mcp-auth-info.js';

type Handler = (request: unknown, context: unknown) => unknown;

const principal = new OidcPrincipal(
  'alice',
  'https://issuer.example',
  ['https://api.example/mcp'],
  new Date(1_900_000_000_500),
  { scopes: ['notes:read'], roles: [], clientId: 'agent', isAppOnly: false },
  { sub: 'alice' },
);

describe('mcpAuthInfo and mcpPrincipal', () => {
  it('carry the principal as the SDKs AuthInfo, found again from 1.x extra and 2.x context', () => {
    const authInfo = mcpAuthInfo(
      { principal, token: 'the-token', validUntil: 0 },
      'https://api.example/mcp',
    );
    expect(authInfo).toEqual({
      token: 'the-token',
      clientId: 'agent',
      scopes: ['notes:read'],
      expiresAt: 1_900_000_000,
      resource: new URL('https://api.example/mcp'),
      extra: { principal },
    });
    expect(mcpPrincipal({ authInfo })).toBe(principal);
    expect(mcpPrincipal({ http: { authInfo } })).toBe(principal);
    expect(mcpPrincipal({ authInfo: { extra: { principal: { subject: 'forged' } } } })).toBe(
      undefined,
    );
    expect(mcpPrincipal(undefined)).toBe(undefined);
  });
});

describe('hideForbiddenTools', () => {
  const listed = { tools: [{ name: 'whoami' }, { name: 'add_note' }], nextCursor: 'c' };

  function serverWith(): {
    handlers: Map<string, Handler>;
    server: Parameters<typeof hideForbiddenTools>[0];
  } {
    const handlers = new Map<string, Handler>();
    const server = {
      server: {
        setRequestHandler: (method: string, handler: Handler) => handlers.set(method, handler),
      },
    };
    return { handlers, server: hideForbiddenTools(server) };
  }

  it('takes the tools hidden from the caller out of tools/list, and only those', async () => {
    const { handlers, server } = serverWith();
    server.server.setRequestHandler('tools/list', () => listed);
    const call = () => ({ ok: true });
    server.server.setRequestHandler('tools/call', call);
    expect(handlers.get('tools/call')).toBe(call);
    const authInfo = mcpAuthInfo({ principal, token: 't', validUntil: 0 });
    hideTools(authInfo, new Set(['add_note']));
    expect(await handlers.get('tools/list')!({}, { http: { authInfo } })).toEqual({
      tools: [{ name: 'whoami' }],
      nextCursor: 'c',
    });
    // A caller for whom nothing was decided sees the list as the server made it.
    expect(await handlers.get('tools/list')!({}, { http: {} })).toBe(listed);
    expect(await handlers.get('tools/list')!({}, undefined)).toBe(listed);
  });
});
