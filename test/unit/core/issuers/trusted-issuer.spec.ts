import { generateKeyPairSync } from 'node:crypto';
import { OidcAuthConfigError } from '../../../../lib/core/config/config-error.js';
import type { IssuerOptions } from '../../../../lib/core/issuers/issuer-options.js';
import { TrustedIssuer } from '../../../../lib/core/issuers/trusted-issuer.js';
import { genericClaims } from '../../../../lib/providers/generic.js';
import { thrown } from '../../../support/thrown.js';

const build = (options: Partial<IssuerOptions> | null, path = 'issuers[0]') =>
  new TrustedIssuer(
    options === null
      ? (null as unknown as IssuerOptions)
      : ({ issuer: 'https://idp.example', audience: 'api', ...options } as IssuerOptions),
    path,
  );

const configError = (options: Partial<IssuerOptions> | null, path?: string) =>
  thrown(OidcAuthConfigError, () => build(options, path));

const SECRET = 'k'.repeat(32);
const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });

describe('TrustedIssuer option checks', () => {
  it.each([
    ['a missing issuer', { issuer: undefined }, 'OidcAuthModule: issuers[0].issuer is required'],
    ['an empty issuer', { issuer: '' }, 'OidcAuthModule: issuers[0].issuer is required'],
    ['no options at all', null, 'OidcAuthModule: issuers[0].issuer is required'],
    [
      'a non-URL issuer',
      { issuer: 'idp.example' },
      'OidcAuthModule: issuers[0].issuer must be an absolute URL, got "idp.example"',
    ],
    [
      'a non-http issuer',
      { issuer: 'ftp://idp.example' },
      'OidcAuthModule: issuers[0].issuer must be an http(s) URL, got "ftp://idp.example"',
    ],
    [
      'a missing audience',
      { audience: undefined },
      'OidcAuthModule: issuers[0].audience is required: a non-empty string or list of strings (or false to turn the check off explicitly)',
    ],
    ['an empty audience', { audience: '' }, /^OidcAuthModule: issuers\[0\]\.audience is required/],
    [
      'an empty audience list',
      { audience: [] },
      /^OidcAuthModule: issuers\[0\]\.audience is required/,
    ],
    [
      'an audience list with an empty item',
      { audience: ['api', ''] },
      /^OidcAuthModule: issuers\[0\]\.audience is required/,
    ],
    ['audience true', { audience: true }, /^OidcAuthModule: issuers\[0\]\.audience is required/],
    [
      'an unknown algorithm',
      { algorithms: ['RS256', 'XS999'] },
      'OidcAuthModule: issuers[0].algorithms has an unknown algorithm "XS999"',
    ],
    [
      "the 'none' algorithm",
      { algorithms: ['none'] },
      'OidcAuthModule: issuers[0].algorithms has an unknown algorithm "none" (unsigned tokens are never accepted)',
    ],
    [
      "'NONE' in capitals",
      { algorithms: ['NONE'] },
      /algorithms has an unknown algorithm "NONE" \(unsigned tokens are never accepted\)/,
    ],
    [
      'Ed25519 on an issuer with a secret',
      { secret: SECRET, algorithms: ['Ed25519'] },
      /has Ed25519, but an issuer with a shared secret accepts only HS256\/HS384\/HS512$/,
    ],
    [
      'no algorithms',
      { algorithms: [] },
      'OidcAuthModule: issuers[0].algorithms must not be empty',
    ],
    [
      'HS256 without a secret',
      { algorithms: ['HS256'] },
      'OidcAuthModule: issuers[0].algorithms has HS256, which needs a shared secret (set issuers[0].secret explicitly)',
    ],
    [
      'a secret with RS256',
      { secret: SECRET, algorithms: ['RS256'] },
      'OidcAuthModule: issuers[0].algorithms has RS256, but an issuer with a shared secret accepts only HS256/HS384/HS512',
    ],
    [
      'a secret with a mix of HS and RS',
      { secret: SECRET, algorithms: ['HS256', 'RS256'] },
      /algorithms has RS256, but an issuer with a shared secret/,
    ],
    [
      'a short secret',
      { secret: 'k'.repeat(31) },
      'OidcAuthModule: issuers[0].secret must be at least 32 bytes',
    ],
    [
      'a short Buffer secret',
      { secret: Buffer.alloc(16, 1) },
      'OidcAuthModule: issuers[0].secret must be at least 32 bytes',
    ],
    [
      'jwksUri and jwks',
      { jwksUri: 'https://idp.example/jwks', jwks: { keys: [] } },
      'OidcAuthModule: issuers[0] must have only one key source, got jwksUri and jwks',
    ],
    [
      'jwks and a secret',
      { jwks: { keys: [] }, secret: SECRET },
      'OidcAuthModule: issuers[0] must have only one key source, got jwks and secret',
    ],
    [
      'all three key sources',
      { jwksUri: 'https://idp.example/jwks', jwks: { keys: [] }, secret: SECRET },
      'OidcAuthModule: issuers[0] must have only one key source, got jwksUri and jwks and secret',
    ],
    [
      'a jwks without keys',
      { jwks: {} as never },
      'OidcAuthModule: issuers[0].jwks must be a JWK set ({ keys: [...] })',
    ],
    [
      'a non-URL jwksUri',
      { jwksUri: 'not a url' },
      'OidcAuthModule: issuers[0].jwksUri must be an absolute URL, got "not a url"',
    ],
    [
      'a non-URL discoveryUri',
      { discoveryUri: '/.well-known/openid-configuration' },
      /^OidcAuthModule: issuers\[0\]\.discoveryUri must be an absolute URL/,
    ],
    [
      'a template issuer without allowedTenants',
      { issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0' },
      "OidcAuthModule: issuers[0].allowedTenants is required for the multi-tenant issuer https://login.microsoftonline.com/{tenantid}/v2.0 (list tenant ids, or ['*'] for any)",
    ],
    [
      'a template issuer with an empty allowedTenants',
      { issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0', allowedTenants: [] },
      /^OidcAuthModule: issuers\[0\]\.allowedTenants is required/,
    ],
    [
      'a template issuer with an empty tenant id',
      { issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0', allowedTenants: ['t1', ''] },
      /^OidcAuthModule: issuers\[0\]\.allowedTenants is required/,
    ],
  ] as Array<[string, Partial<IssuerOptions> | null, string | RegExp]>)(
    'refuses %s, naming the option',
    (_what, options, message) => {
      const err = configError(options);
      expect(err.name).toBe('OidcAuthConfigError');
      if (typeof message === 'string') expect(err.message).toBe(message);
      else expect(err.message).toMatch(message);
    },
  );

  it('names the path it is given, so errors point at the right entry', () => {
    expect(configError({ audience: [] }, 'issuers[3]').message).toMatch(
      /^OidcAuthModule: issuers\[3\]\.audience is required/,
    );
  });

  it('accepts an audience check turned off explicitly with false', () => {
    expect(build({ audience: false }).audiences).toBeNull();
  });

  it('keeps the accepted audiences as a set', () => {
    expect(build({ audience: ['api', 'api://api'] }).audiences).toEqual(
      new Set(['api', 'api://api']),
    );
    expect(build({ audience: 'api' }).audiences).toEqual(new Set(['api']));
  });

  it('defaults to every asymmetric algorithm, and to HS256 with a secret', () => {
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
      'Ed25519',
      'Ed448',
      'EdDSA',
    ]);
    const hmac = build({ secret: SECRET });
    expect([...hmac.algorithms]).toEqual(['HS256']);
    expect(hmac.secret?.type).toBe('secret');
    expect(hmac.secret?.symmetricKeySize).toBe(32);
    expect(hmac.keySet).toBeUndefined();
  });

  it('accepts a 32-byte Buffer secret with HS512', () => {
    const hmac = build({ secret: Buffer.alloc(32, 7), algorithms: ['HS512'] });
    expect([...hmac.algorithms]).toEqual(['HS512']);
  });

  it('builds a key set for JWKS sources, and fills in defaults', () => {
    const issuer = build({ jwks: { keys: [{ ...jwk, kid: 'k1' }] } });
    expect(issuer.keySet).toBeDefined();
    expect(issuer.keySet!.issuer).toBe('https://idp.example');
    expect(issuer.secret).toBeUndefined();
    expect(issuer).toMatchObject({
      issuer: 'https://idp.example',
      isTemplate: false,
      allowedTenants: null,
      audienceClaim: 'aud',
      requiredClaims: [],
      typ: undefined,
    });
    expect(issuer.claimMapper).toBe(genericClaims);
  });

  it('reads a {tenantid} template with its tenants, or any tenant for *', () => {
    const template = build({
      issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
      allowedTenants: ['t1', 't2'],
    });
    expect(template.isTemplate).toBe(true);
    expect(template.allowedTenants).toEqual(new Set(['t1', 't2']));
    const any = build({
      issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
      allowedTenants: ['*'],
    });
    expect(any.allowedTenants).toBeNull();
  });

  it('loads keys from a static jwks without fetching anything', async () => {
    const issuer = build({ jwks: { keys: [{ ...jwk, kid: 'k1', alg: 'RS256', use: 'sig' }] } });
    const key = await issuer.keySet!.get('k1', 'RS256');
    expect(key).toMatchObject({ kid: 'k1', alg: 'RS256' });
    expect(key.key.asymmetricKeyType).toBe('rsa');
  });

  it('uses no key that is published for encryption only (RFC 7517 §4.2, §4.3)', async () => {
    const issuer = build({
      jwks: {
        keys: [
          { ...jwk, kid: 'ops-encrypt', key_ops: ['encrypt', 'wrapKey'] },
          { ...jwk, kid: 'use-enc', use: 'enc' },
          { ...jwk, kid: 'ops-verify', key_ops: ['verify'] },
        ],
      },
    });
    await expect(issuer.keySet!.get('ops-verify', 'RS256')).resolves.toMatchObject({
      kid: 'ops-verify',
    });
    for (const kid of ['ops-encrypt', 'use-enc']) {
      await expect(issuer.keySet!.get(kid, 'RS256')).rejects.toMatchObject({
        reason: 'unknown_kid',
      });
    }
    expect(issuer.keySet!.status().keyCount).toBe(1);
  });
});
