import type { TrustedIssuer } from '../../../../lib/core/issuers/trusted-issuer.js';
import type { IssuerResolver } from '../../../../lib/core/issuers/issuer-resolver.js';
import { resolveResources } from '../../../../lib/nest/resources/resolve-resources.js';

const issuerAccepting = (...audiences: string[]) =>
  ({ issuer: 'https://idp.example', audiences: new Set(audiences) }) as unknown as TrustedIssuer;
const anyAudience = { issuer: 'https://any.example', audiences: null } as unknown as TrustedIssuer;

const API = 'https://api.example.com';
const MCP = 'https://api.example.com/mcp';

describe('resolveResources', () => {
  it('keeps a single protectedResource as it was: any audience the issuers accept opens it', () => {
    const { root, named } = resolveResources({ protectedResource: { resource: API } }, [
      issuerAccepting(API, 'api://legacy'),
    ]);
    expect(named.size).toBe(0);
    expect(root.restricts).toBe(false);
    expect(root.admits(['api://legacy'])).toBe(true);
    expect(root.metadataUrl).toBe(`${API}/.well-known/oauth-protected-resource`);
  });

  it('gives a named resource its own audience, and keeps its tokens out of the root one', () => {
    const { root, named } = resolveResources(
      {
        protectedResource: { resource: API },
        protectedResources: { mcp: { resource: MCP } },
      },
      [issuerAccepting(API, MCP, 'api://notes')],
    );
    const mcp = named.get('mcp')!;
    expect(mcp.metadataPath).toBe('/.well-known/oauth-protected-resource/mcp');
    expect(mcp.admits([MCP])).toBe(true);
    expect(mcp.admits([API])).toBe(false);
    expect(mcp.admits(['api://notes'])).toBe(false);
    // A token without an audience is for no resource in particular: a named resource refuses it.
    expect(mcp.admits([])).toBe(false);
    expect(root.admits([MCP])).toBe(false);
    expect(root.admits(['api://notes'])).toBe(true);
    expect(root.admits([MCP, API])).toBe(true);
    expect(root.admits([])).toBe(true);
  });

  it('refuses an advertised resource that no trusted issuer accepts, naming the values', () => {
    expect(() =>
      resolveResources({ protectedResource: { resource: 'http://127.0.0.1:3000' } }, [
        issuerAccepting('api://notes'),
      ]),
    ).toThrow(
      'OidcAuthModule: protectedResource.resource is http://127.0.0.1:3000, which no trusted issuer accepts as an audience (issuers[].audience: api://notes)',
    );
  });

  it('takes any resource from an issuer without an audience check, or one the resolver approves later', () => {
    expect(() =>
      resolveResources({ protectedResource: { resource: API } }, [anyAudience]),
    ).not.toThrow();
    expect(() =>
      resolveResources(
        {
          protectedResource: { resource: API },
          issuerResolver: (() => undefined) as unknown as IssuerResolver,
        },
        [],
      ),
    ).not.toThrow();
  });

  it('refuses an advertised resource outside the resource’s own audience', () => {
    expect(() =>
      resolveResources({ protectedResources: { mcp: { resource: MCP, audience: 'api://mcp' } } }, [
        issuerAccepting(MCP, 'api://mcp'),
      ]),
    ).toThrow(
      'OidcAuthModule: protectedResources.mcp.resource is https://api.example.com/mcp, which is not among the audiences its routes accept (protectedResources.mcp.audience: api://mcp)',
    );
  });

  it('refuses a root resource whose identifier is a named resource’s audience', () => {
    expect(() =>
      resolveResources(
        {
          protectedResource: { resource: API },
          protectedResources: { mcp: { resource: MCP, audience: [MCP, API] } },
        },
        [issuerAccepting(API, MCP)],
      ),
    ).toThrow('protectedResource.resource is https://api.example.com, an audience of another');
  });

  it('refuses two resources sharing an audience: a token for one would open the other', () => {
    expect(() =>
      resolveResources(
        {
          protectedResource: { resource: API, audience: [API, 'api://notes'] },
          protectedResources: { mcp: { resource: MCP, audience: [MCP, 'api://notes'] } },
        },
        [issuerAccepting(API, MCP, 'api://notes')],
      ),
    ).toThrow(
      'OidcAuthModule: protectedResources.mcp.audience has api://notes, an audience of protectedResource too',
    );
  });

  it('refuses two resources at one metadata address', () => {
    expect(() =>
      resolveResources(
        {
          protectedResources: {
            a: { resource: 'https://a.example/api' },
            b: { resource: 'https://b.example/api/' },
          },
        },
        [anyAudience],
      ),
    ).toThrow(
      "protectedResources.b.resource is https://b.example/api/, whose metadata document (/.well-known/oauth-protected-resource/api) is protectedResources.a's too",
    );
  });

  it.each([
    [{ resource: 'mcp' }, 'protectedResources.x.resource must be a URL, got "mcp"'],
    [{ resource: MCP, audience: [] }, 'protectedResources.x.audience must be a non-empty'],
    [{ resource: MCP, scopes: ['tools "all"'] }, 'protectedResources.x.scopes must be a list'],
  ])('refuses %j', (resource, message) => {
    expect(() =>
      resolveResources({ protectedResources: { x: resource as never } }, [anyAudience]),
    ).toThrow(message);
  });
});
