import { InvalidTokenError } from '../../../lib/protocol/errors.js';
import { OidcAuthConfigError } from '../../../lib/verification/config-error.js';
import type { IssuerOptions } from '../../../lib/verification/issuer-options.js';
import { IssuerRegistry } from '../../../lib/verification/issuer-registry.js';
import { TrustedIssuer } from '../../../lib/verification/trusted-issuer.js';

const build = (options: Partial<IssuerOptions>) =>
  new TrustedIssuer(
    { issuer: 'https://idp.example', audience: 'api', ...options } as IssuerOptions,
    'issuers[0]',
  );

describe('TrustedIssuer option checks', () => {
  it.each([
    [{ issuer: undefined }, /issuers\[0\]\.issuer is required/],
    [{ issuer: 'idp.example' }, /issuers\[0\]\.issuer must be an absolute URL/],
    [{ issuer: 'ftp://idp.example' }, /must be an http\(s\) URL/],
    [{ audience: undefined }, /issuers\[0\]\.audience is required/],
    [{ audience: '' }, /audience is required/],
    [{ audience: [] }, /audience is required/],
    [{ algorithms: ['RS256', 'XS999'] }, /algorithms has an unknown algorithm "XS999"/],
    [{ algorithms: ['none'] }, /unsigned tokens are never accepted/],
    [{ algorithms: [] }, /algorithms must not be empty/],
    [{ algorithms: ['HS256'] }, /HS256, which needs a shared secret/],
    [{ secret: 'x'.repeat(32), algorithms: ['RS256'] }, /accepts only HS256\/HS384\/HS512/],
    [{ secret: 'too-short' }, /secret must be at least 32 bytes/],
    [
      { jwksUri: 'https://idp.example/jwks', jwks: { keys: [] } },
      /only one key source, got jwksUri and jwks/,
    ],
    [{ jwksUri: 'not a url' }, /jwksUri must be an absolute URL/],
    [
      { issuer: 'https://login.example/{tenantid}/v2.0' },
      /allowedTenants is required for the multi-tenant issuer/,
    ],
  ] as Array<[Partial<IssuerOptions>, RegExp]>)('refuses %j', (options, message) => {
    expect(() => build(options)).toThrow(OidcAuthConfigError);
    expect(() => build(options)).toThrow(message);
  });

  it('accepts an explicitly disabled audience check', () => {
    expect(build({ audience: false }).audiences).toBeNull();
  });

  it('defaults to the asymmetric algorithms, and to HS256 with a secret', () => {
    expect([...build({}).algorithms]).toEqual([
      'RS256',
      'RS384',
      'RS512',
      'PS256',
      'PS384',
      'PS512',
      'ES256',
      'ES384',
      'ES512',
    ]);
    const hmac = build({ secret: 's'.repeat(32) });
    expect([...hmac.algorithms]).toEqual(['HS256']);
    expect(hmac.secret?.type).toBe('secret');
    expect(hmac.keySet).toBeUndefined();
  });
});

describe('IssuerRegistry', () => {
  const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const registry = new IssuerRegistry([
    build({}),
    build({ issuer: 'https://login.example/{tenantid}/v2.0', allowedTenants: [TENANT] }),
  ]);

  it('selects by exact iss', () => {
    expect(registry.select({ iss: 'https://idp.example' }).issuer).toBe('https://idp.example');
  });

  it.each([
    [{ iss: 'https://idp.example/' }, 'unknown_issuer'],
    [{ iss: 'https://IDP.example' }, 'unknown_issuer'],
    [{}, 'malformed_token'],
    [{ iss: 42 }, 'malformed_token'],
  ])('refuses %j with %s', (payload, reason) => {
    expect(() => registry.select(payload)).toThrow(InvalidTokenError);
    try {
      registry.select(payload);
    } catch (err) {
      expect((err as InvalidTokenError).reason).toBe(reason);
    }
  });

  it('matches a {tenantid} template for an allowed tenant whose tid agrees', () => {
    const iss = `https://login.example/${TENANT}/v2.0`;
    expect(registry.select({ iss, tid: TENANT }).isTemplate).toBe(true);
  });

  it('refuses a tenant that is not allowed, and an iss whose tenant is not the tid', () => {
    const other = '00000000-0000-0000-0000-000000000000';
    expect(() =>
      registry.select({ iss: `https://login.example/${other}/v2.0`, tid: other }),
    ).toThrow(/tenant is not allowed/);
    expect(() =>
      registry.select({ iss: `https://login.example/${TENANT}/v2.0`, tid: other }),
    ).toThrow(/does not match its tenant/);
  });
});
