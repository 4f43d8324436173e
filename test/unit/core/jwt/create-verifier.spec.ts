import { generateKeyPairSync, sign } from 'node:crypto';
import { InvalidTokenError } from '../../../../lib/protocol/errors/errors.js';
import { OidcAuthConfigError } from '../../../../lib/core/config/config-error.js';
import { createVerifier } from '../../../../lib/core/jwt/create-verifier.js';
import { standardClaims } from '../../../../lib/core/claims/standard-claims.js';

// The core used on its own, as a worker or a non-Nest service would: no module, no passport.
const NOW = 1_800_000_000;
const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig' }] };
const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function token(claims: Record<string, unknown>): string {
  const input = `${part({ alg: 'ES256', kid: 'k1' })}.${part(claims)}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${signature.toString('base64url')}`;
}

const claims = {
  iss: 'https://idp.example',
  aud: 'api',
  sub: 'svc',
  client_id: 'svc',
  exp: NOW + 60,
};

describe('createVerifier (the core on its own)', () => {
  const verifier = createVerifier({
    issuers: [[{ issuer: 'https://idp.example', audience: 'api', jwks }]],
    now: () => NOW * 1000,
  });

  it('verifies a token into a principal, mapped by the RFC 9068 standard claims by default', async () => {
    const { principal, issuer, kid } = await verifier.verify(token({ ...claims, scope: 'a b' }));
    expect({ issuer, kid, subject: principal.subject, isAppOnly: principal.isAppOnly }).toEqual({
      issuer: 'https://idp.example',
      kid: 'k1',
      subject: 'svc',
      isAppOnly: true,
    });
    expect(principal.hasScope('b')).toBe(true);
    expect(verifier.issuers[0].claimMapper).toBe(standardClaims);
  });

  it('refuses with the error hierarchy, honouring the given clock', async () => {
    await expect(verifier.verify(token({ ...claims, exp: NOW - 61 }))).rejects.toThrow(
      InvalidTokenError,
    );
  });

  it.each([
    [{ issuers: [] }, 'issuers must list at least one trusted issuer (or set issuerResolver)'],
    [
      {
        issuers: [
          { issuer: 'https://a', audience: 'x', jwks },
          { issuer: 'https://a', audience: 'y', jwks },
        ],
      },
      'issuers[1].issuer lists https://a a second time',
    ],
    [
      { issuers: [{ issuer: 'https://a', audience: 'x', jwks }], clockToleranceSeconds: -1 },
      'clockToleranceSeconds must be a number of seconds >= 0',
    ],
    [
      { issuers: [{ issuer: 'https://a', audience: 'x', jwks }], keys: { maxWaitMs: -1 } },
      'keys.maxWaitMs must be a non-negative number, got -1',
    ],
    [
      { issuers: [{ issuer: 'https://a', audience: 'x', jwks }], keys: { timeoutMs: 0 } },
      'keys.timeoutMs must be a positive number, got 0',
    ],
    [
      { issuers: [{ issuer: 'https://a', audience: 'x', jwks }], keys: { cooldownMs: '5s' } },
      'keys.cooldownMs must be a non-negative number, got "5s"',
    ],
  ])('refuses a configuration that cannot work (%#)', (config, message) => {
    expect(() => createVerifier(config as Parameters<typeof createVerifier>[0])).toThrow(
      new OidcAuthConfigError(message.split(' ')[0], message.slice(message.indexOf(' ') + 1)),
    );
  });
});
