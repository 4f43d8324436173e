import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { InvalidTokenError } from '../../../lib/protocol/errors.js';
import type { IssuerOptions } from '../../../lib/verification/issuer-options.js';
import { IssuerRegistry } from '../../../lib/verification/issuer-registry.js';
import { TokenVerifier } from '../../../lib/verification/token-verifier.js';
import { TrustedIssuer } from '../../../lib/verification/trusted-issuer.js';
import { forge } from '../../support/forge.js';

const ISS = 'https://idp.example';
const NOW = 1_800_000_000;

function jwk(key: KeyObject, extra: Record<string, unknown>) {
  return { ...key.export({ format: 'jwk' }), use: 'sig', ...extra };
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;

function verifier(options: Partial<IssuerOptions> = {}) {
  const issuer = new TrustedIssuer(
    {
      issuer: ISS,
      audience: 'api',
      jwks: {
        keys: [
          jwk(rsa, { kid: 'rsa', alg: 'RS256' }),
          jwk(weak, { kid: 'weak' }),
          jwk(p256, { kid: 'ec' }),
          jwk(rsa, { kid: 'rsa-any' }),
        ],
      },
      ...options,
    },
    'issuers[0]',
  );
  return new TokenVerifier(new IssuerRegistry([issuer]), {
    clockToleranceSeconds: 60,
    now: () => NOW * 1000,
  });
}

const payload = { iss: ISS, aud: 'api', sub: 'alice', exp: NOW + 300, iat: NOW };

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvalidTokenError);
  return (err as InvalidTokenError).reason;
}

describe('TokenVerifier.resolveKey', () => {
  it('returns the JWKS key of the header kid', async () => {
    const resolution = await verifier().resolveKey(
      forge({ alg: 'RS256', kid: 'rsa' }, payload, 'sig'),
    );
    expect(resolution.algorithm).toBe('RS256');
    expect(resolution.key.asymmetricKeyType).toBe('rsa');
    expect(resolution.issuer.issuer).toBe(ISS);
  });

  it.each([
    [{ alg: 'none', kid: 'rsa' }, 'algorithm_not_allowed'],
    [{ alg: 'HS256', kid: 'rsa' }, 'algorithm_not_allowed'],
    [{ alg: 'EdDSA', kid: 'rsa' }, 'algorithm_not_allowed'],
    [{ alg: 'RS256', kid: 'rsa', crit: ['b64'], b64: false }, 'unsupported_critical_header'],
    [{ alg: 'RS256', kid: 'rsa', b64: false }, 'unsupported_critical_header'],
    [{ alg: 'RS512', kid: 'rsa' }, 'key_mismatch'],
    [{ alg: 'ES256', kid: 'rsa-any' }, 'key_mismatch'],
    [{ alg: 'ES384', kid: 'ec' }, 'key_mismatch'],
    [{ alg: 'RS256', kid: 'weak' }, 'key_mismatch'],
    [{ alg: 'RS256', kid: 'unknown' }, 'unknown_kid'],
    [{ alg: 'RS256', kid: 42 }, 'malformed_token'],
    [{ alg: 'RS256', kid: 'rsa', jku: 'https://evil.example/jwks' }, undefined],
  ])('judges header %j: %s', async (header, reason) => {
    const result = verifier().resolveKey(forge(header, payload, 'sig'));
    if (reason === undefined) await expect(result).resolves.toBeDefined();
    else expect(await reasonOf(result)).toBe(reason);
  });

  it('accepts any RSA algorithm on a JWK that states none', async () => {
    await expect(
      verifier().resolveKey(forge({ alg: 'PS384', kid: 'rsa-any' }, payload, 's')),
    ).resolves.toBeDefined();
  });

  it('checks typ when asked, ignoring case and the application/ prefix', async () => {
    const v = verifier({ typ: 'at+jwt' });
    await expect(
      v.resolveKey(forge({ alg: 'RS256', kid: 'rsa', typ: 'at+jwt' }, payload, 's')),
    ).resolves.toBeDefined();
    await expect(
      v.resolveKey(forge({ alg: 'RS256', kid: 'rsa', typ: 'application/AT+JWT' }, payload, 's')),
    ).resolves.toBeDefined();
    expect(
      await reasonOf(v.resolveKey(forge({ alg: 'RS256', kid: 'rsa', typ: 'JWT' }, payload, 's'))),
    ).toBe('typ_mismatch');
    expect(await reasonOf(v.resolveKey(forge({ alg: 'RS256', kid: 'rsa' }, payload, 's')))).toBe(
      'typ_mismatch',
    );
  });

  it.each([
    ['a.b', 'malformed_token'],
    ['a.b.c.d.e', 'malformed_token'],
    [`${forge({ alg: 'RS256' }, payload)}`, 'malformed_token'],
    ['eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln', 'malformed_token'],
    ['e30.e30.c2ln', 'malformed_token'],
  ])('refuses the malformed token %s', async (token, reason) => {
    expect(await reasonOf(verifier().resolveKey(token))).toBe(reason);
  });
});

describe('TokenVerifier.checkClaims', () => {
  const v = verifier();
  const issuer = v.registry.issuers[0];
  const reason = (claims: Record<string, unknown>) => {
    try {
      v.checkClaims(claims, issuer);
    } catch (err) {
      return (err as InvalidTokenError).reason;
    }
    return 'accepted';
  };

  it('builds the principal', () => {
    const principal = v.checkClaims({ ...payload, scope: 'a b', roles: ['r'] }, issuer);
    expect(principal.subject).toBe('alice');
    expect(principal.audience).toEqual(['api']);
    expect([...principal.scopes]).toEqual(['a', 'b']);
    expect(principal.expiresAt.getTime()).toBe((NOW + 300) * 1000);
  });

  it.each([
    [{ exp: undefined }, 'claim_invalid'],
    [{ exp: String(NOW + 300) }, 'claim_invalid'],
    [{ exp: NOW - 61 }, 'token_expired'],
    [{ exp: NOW - 59 }, 'accepted'],
    [{ exp: NOW + 0.5 }, 'accepted'],
    [{ nbf: NOW + 61 }, 'token_not_yet_valid'],
    [{ nbf: NOW + 59 }, 'accepted'],
    [{ nbf: 'soon' }, 'claim_invalid'],
    [{ iat: NOW + 120 }, 'token_not_yet_valid'],
    [{ iat: -1 }, 'accepted'],
    [{ aud: 'other' }, 'audience_mismatch'],
    [{ aud: ['other', 'api'] }, 'accepted'],
    [{ aud: undefined }, 'audience_mismatch'],
    [{ sub: undefined }, 'claim_invalid'],
    [{ sub: '' }, 'claim_invalid'],
  ])('judges %j: %s', (change, expected) => {
    expect(reason({ ...payload, ...change })).toBe(expected);
  });

  it('reads the audience from another claim when configured (Cognito)', () => {
    const cognito = verifier({ audienceClaim: 'client_id', audience: 'app-client' });
    const i = cognito.registry.issuers[0];
    expect(() =>
      cognito.checkClaims({ ...payload, aud: undefined, client_id: 'app-client' }, i),
    ).not.toThrow();
    expect(() => cognito.checkClaims({ ...payload, client_id: 'other' }, i)).toThrow(/audience/);
  });

  it('enforces required claims and provider rules', () => {
    const strict = verifier({
      requiredClaims: ['jti'],
      validateClaims: (claims) =>
        claims.tenant === 'blocked' ? 'The tenant is blocked' : undefined,
    });
    const i = strict.registry.issuers[0];
    expect(() => strict.checkClaims(payload, i)).toThrow('The token must have a jti claim');
    expect(() => strict.checkClaims({ ...payload, jti: '1', tenant: 'blocked' }, i)).toThrow(
      'The tenant is blocked',
    );
    expect(() => strict.checkClaims({ ...payload, jti: '1' }, i)).not.toThrow();
  });
});
