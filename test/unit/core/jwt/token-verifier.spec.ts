import { constants, createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { InvalidTokenError, OidcAuthError } from '../../../../lib/protocol/errors/errors.js';
import { azureAdClaims } from '../../../../lib/providers/azure-ad.js';
import type { IssuerOptions } from '../../../../lib/core/issuers/issuer-options.js';
import { IssuerRegistry } from '../../../../lib/core/issuers/issuer-registry.js';
import { OidcPrincipal } from '../../../../lib/core/claims/principal.js';
import { type ClaimClock, checkClaims } from '../../../../lib/core/jwt/claim-rules.js';
import { TokenVerifier } from '../../../../lib/core/jwt/token-verifier.js';
import { TrustedIssuer } from '../../../../lib/core/issuers/trusted-issuer.js';
import { thrown } from '../../../support/thrown.js';
import { rejected } from '../../../support/thrown.js';

const ISS = 'https://idp.example';
const NOW = 1_800_000_000;
const TOLERANCE = 60;

/** base64url(JSON header).base64url(JSON payload).signature, for tokens refused before their signature counts. */
function craft(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  signature = 'c2lnbmF0dXJl',
): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part(header)}.${part(payload)}.${signature}`;
}

function jwk(key: KeyObject, extra: Record<string, unknown>) {
  return { ...key.export({ format: 'jwk' }), use: 'sig', ...extra };
}

const pairs = {
  rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  rsa1024: generateKeyPairSync('rsa', { modulusLength: 1024 }),
  p256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  p384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
};
const rsa = pairs.rsa.publicKey;
const rsa1024 = pairs.rsa1024.publicKey;
const p256 = pairs.p256.publicKey;
const p384 = pairs.p384.publicKey;

/** A real signature over header and payload by the private half of `key`. */
function signed(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  key: KeyObject,
): string {
  const input = craft(header, claims, '').slice(0, -1);
  const pair = Object.values(pairs).find((p) => p.publicKey.equals(key))!;
  const alg = String(header.alg);
  const hash = `sha${alg.slice(2)}`;
  const signature = alg.startsWith('ES')
    ? sign(hash, Buffer.from(input), { key: pair.privateKey, dsaEncoding: 'ieee-p1363' })
    : alg.startsWith('PS')
      ? sign(hash, Buffer.from(input), {
          key: pair.privateKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        })
      : sign(hash, Buffer.from(input), pair.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

// The key each kid of KEYS stands for.
const KEY_OF_KID: Record<string, KeyObject> = { rs256: rsa, 'rsa-any': rsa, p256, p384 };

const KEYS = [
  jwk(rsa, { kid: 'rs256', alg: 'RS256' }), // a JWK that names its algorithm
  jwk(rsa, { kid: 'rsa-any' }), // a JWK that does not
  jwk(rsa1024, { kid: 'rsa-1024' }),
  jwk(p256, { kid: 'p256' }),
  jwk(p384, { kid: 'p384', alg: 'ES384' }),
];

function verifier(options: Partial<IssuerOptions> = {}) {
  const issuer = new TrustedIssuer(
    { issuer: ISS, audience: 'api', jwks: { keys: KEYS }, ...options },
    'issuers[0]',
  );
  return new TokenVerifier(new IssuerRegistry([issuer]), {
    clockToleranceSeconds: TOLERANCE,
    now: () => NOW * 1000,
  });
}

/** The claim rules of one issuer entry on a fixed clock, without signatures. */
function rules(
  options: Partial<IssuerOptions> = {},
  clock: ClaimClock = { nowSeconds: NOW, toleranceSeconds: TOLERANCE },
) {
  const issuer = new TrustedIssuer(
    { issuer: ISS, audience: 'api', jwks: { keys: KEYS }, ...options },
    'issuers[0]',
  );
  return { issuer, check: (claims: Record<string, unknown>) => checkClaims(claims, issuer, clock) };
}

const payload = { iss: ISS, aud: 'api', sub: 'alice', exp: NOW + 300, iat: NOW - 10 };

const refusalOf = (promise: Promise<unknown>) => rejected(InvalidTokenError, promise);

/** Why `on` refuses a token of `payload` under `header` (signature made up). */
const refusalReason = async (on: ReturnType<typeof verifier>, header: Record<string, unknown>) =>
  (await refusalOf(on.verify(craft(header, payload)))).reason;

describe('TokenVerifier.verify: header and key', () => {
  const v = verifier();

  it('verifies with the JWKS key of the header kid, and names issuer and kid', async () => {
    const verified = await v.verify(
      signed({ alg: 'RS256', kid: 'rs256', typ: 'JWT' }, payload, rsa),
    );
    expect(verified.issuer).toBe(ISS);
    expect(verified.kid).toBe('rs256');
    expect(verified.key.equals(rsa)).toBe(true);
    expect(verified.principal.subject).toBe('alice');
  });

  it.each([
    ['ES256 on a P-256 key', { alg: 'ES256', kid: 'p256' }],
    ['ES384 on a P-384 key that names ES384', { alg: 'ES384', kid: 'p384' }],
    ['PS384 on an RSA key that names no alg', { alg: 'PS384', kid: 'rsa-any' }],
    ['RS512 on an RSA key that names no alg', { alg: 'RS512', kid: 'rsa-any' }],
  ])('accepts %s', async (_what, header) => {
    const verified = await v.verify(signed(header, payload, KEY_OF_KID[header.kid]));
    expect(verified.key.equals(KEY_OF_KID[header.kid])).toBe(true);
  });

  describe('algorithm', () => {
    it.each([
      [{ alg: 'none', kid: 'rs256' }, 'The token algorithm "none" is not accepted'],
      [{ alg: 'None', kid: 'rs256' }, 'The token algorithm "None" is not accepted'],
      [{ alg: 'HS256', kid: 'rs256' }, 'The token algorithm "HS256" is not accepted'],
      [{ alg: 'ES256K', kid: 'rs256' }, 'The token algorithm "ES256K" is not accepted'],
      [{ alg: 'rs256', kid: 'rs256' }, 'The token algorithm "rs256" is not accepted'],
    ])('refuses %j', async (header, message) => {
      const err = await refusalOf(v.verify(craft(header, payload)));
      expect(err.reason).toBe('algorithm_not_allowed');
      expect(err.message).toBe(message);
    });

    it('refuses an algorithm the issuer does not allow, though the key would fit', async () => {
      const rsOnly = verifier({ algorithms: ['RS256'] });
      expect(await refusalReason(rsOnly, { alg: 'PS256', kid: 'rsa-any' })).toBe(
        'algorithm_not_allowed',
      );
    });

    it('refuses an unsigned token outright (no alg at all is malformed)', async () => {
      expect(await refusalReason(v, { kid: 'rs256' })).toBe('malformed_token');
    });
  });

  it("judges a header it verified before (and need not decode again) by each issuer's own rules", async () => {
    const OTHER = 'https://other.example';
    const issuers = [
      new TrustedIssuer({ issuer: ISS, audience: 'api', jwks: { keys: KEYS } }, 'issuers[0]'),
      new TrustedIssuer(
        { issuer: OTHER, audience: 'api', jwks: { keys: KEYS }, algorithms: ['RS256'] },
        'issuers[1]',
      ),
    ];
    const both = new TokenVerifier(new IssuerRegistry(issuers), {
      clockToleranceSeconds: TOLERANCE,
      now: () => NOW * 1000,
    });
    const header = { alg: 'PS256', kid: 'rsa-any' };
    for (let i = 0; i < 2; i += 1) {
      expect((await both.verify(signed(header, payload, rsa))).issuer).toBe(ISS);
    }
    const err = await refusalOf(both.verify(signed(header, { ...payload, iss: OTHER }, rsa)));
    expect(err.reason).toBe('algorithm_not_allowed');
    expect(both.verifyNow(signed(header, payload, rsa))?.issuer).toBe(ISS);
    expect(() => both.verifyNow(signed(header, { ...payload, iss: OTHER }, rsa))).toThrow(
      expect.objectContaining({ reason: 'algorithm_not_allowed' }),
    );
  });

  describe('critical headers (RFC 7515 §4.1.11)', () => {
    it.each([
      [{ alg: 'RS256', kid: 'rs256', crit: ['exp'] }],
      [{ alg: 'RS256', kid: 'rs256', crit: [] }],
      [{ alg: 'RS256', kid: 'rs256', crit: ['b64'], b64: false }],
      [{ alg: 'RS256', kid: 'rs256', b64: false }],
      [{ alg: 'RS256', kid: 'rs256', b64: true }],
    ])('refuses %j', async (header) => {
      expect(await refusalReason(v, header)).toBe('unsupported_critical_header');
    });

    it('ignores jku, x5u, jwk and x5c: keys come from the issuer only', async () => {
      const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
      const verified = await v.verify(
        signed(
          {
            alg: 'RS256',
            kid: 'rs256',
            jku: 'https://evil.example/jwks.json',
            x5u: 'https://evil.example/cert.pem',
            jwk: attacker.export({ format: 'jwk' }),
          },
          payload,
          rsa,
        ),
      );
      expect(verified.key.equals(rsa)).toBe(true);
    });
  });

  describe('typ (RFC 9068 §4)', () => {
    const at = verifier({ typ: 'at+jwt' });

    it.each(['at+jwt', 'at+JWT', 'application/at+jwt', 'Application/AT+JWT'])(
      'accepts typ %j for at+jwt',
      async (typ) => {
        await expect(
          at.verify(signed({ alg: 'RS256', kid: 'rs256', typ }, payload, rsa)),
        ).resolves.toBeDefined();
      },
    );

    it.each([['JWT'], ['jwt'], ['application/jwt'], ['at+jwt2'], [42], [undefined]])(
      'refuses typ %j for at+jwt',
      async (typ) => {
        const err = await refusalOf(at.verify(craft({ alg: 'RS256', kid: 'rs256', typ }, payload)));
        expect(err.reason).toBe('typ_mismatch');
        expect(err.message).toBe('The token type must be at+jwt');
      },
    );

    it('does not look at typ when the issuer does not ask for one', async () => {
      await expect(
        v.verify(signed({ alg: 'RS256', kid: 'rs256', typ: 'JWT' }, payload, rsa)),
      ).resolves.toBeDefined();
      await expect(
        v.verify(signed({ alg: 'RS256', kid: 'rs256', typ: 'id_token+jwt' }, payload, rsa)),
      ).resolves.toBeDefined();
    });
  });

  describe('key and algorithm agreement', () => {
    const DIFFERS = "The token algorithm differs from its key's algorithm";
    const TYPE = 'The token algorithm does not fit its key type';
    const CURVE = 'The token algorithm does not fit its key curve';
    const SHORT = 'The token key is shorter than 2048 bits';
    it.each([
      ['RS512 on a JWK that says RS256', 'RS512', 'rs256', DIFFERS],
      ['PS256 on a JWK that says RS256', 'PS256', 'rs256', DIFFERS],
      ['ES256 on an RSA key', 'ES256', 'rsa-any', TYPE],
      ['RS256 on an EC key', 'RS256', 'p256', TYPE],
      ['ES384 on a P-256 key', 'ES384', 'p256', CURVE],
      ['ES512 on a P-256 key', 'ES512', 'p256', CURVE],
      ['ES256 on a P-384 key that says ES384', 'ES256', 'p384', DIFFERS],
      ['RS256 on a 1024-bit RSA key', 'RS256', 'rsa-1024', SHORT],
    ])('refuses %s', async (_what, alg, kid, message) => {
      const err = await refusalOf(v.verify(craft({ alg, kid }, payload)));
      expect(err.reason).toBe('key_mismatch');
      expect(err.message).toBe(message);
    });

    it('refuses ES256 on a P-384 key whose JWK names no alg, by its curve', async () => {
      const noAlg = verifier({ jwks: { keys: [jwk(p384, { kid: 'p384' })] } });
      const err = await refusalOf(noAlg.verify(craft({ alg: 'ES256', kid: 'p384' }, payload)));
      expect(err.reason).toBe('key_mismatch');
      expect(err.message).toBe('The token algorithm does not fit its key curve');
    });
  });

  describe('kid', () => {
    it('refuses a kid the issuer does not publish', async () => {
      expect(await refusalReason(v, { alg: 'RS256', kid: 'rotated-away' })).toBe('unknown_kid');
    });

    it('refuses a missing kid when the issuer publishes several keys', async () => {
      expect(await refusalReason(v, { alg: 'RS256' })).toBe('unknown_kid');
    });

    it('uses the only key when the token has no kid and the issuer has one key', async () => {
      const single = verifier({ jwks: { keys: [jwk(rsa, { kid: 'only' })] } });
      const verified = await single.verify(signed({ alg: 'RS256' }, payload, rsa));
      expect(verified.key.equals(rsa)).toBe(true);
    });

    it.each([[42], [null], [['rs256']], [{ id: 'rs256' }]])(
      'refuses a non-string kid %j as malformed',
      async (kid) => {
        const err = await refusalOf(v.verify(craft({ alg: 'RS256', kid }, payload)));
        expect(err.reason).toBe('malformed_token');
        expect(err.message).toBe('The token kid must be a string');
      },
    );
  });

  it('returns the shared secret of an HMAC issuer without a key lookup', async () => {
    const hmac = verifier({ jwks: undefined, secret: 's'.repeat(32) });
    const input = craft({ alg: 'HS256' }, payload, '').slice(0, -1);
    const mac = createHmac('sha256', 's'.repeat(32)).update(input).digest('base64url');
    const verified = await hmac.verify(`${input}.${mac}`);
    expect(verified.key.type).toBe('secret');
    expect(verified.kid).toBeUndefined();
    expect(await refusalReason(hmac, { alg: 'RS256', kid: 'rs256' })).toBe('algorithm_not_allowed');
  });

  it('chooses the issuer before anything else: an unknown iss costs no key lookup', async () => {
    const err = await refusalOf(
      v.verify(craft({ alg: 'none' }, { ...payload, iss: 'https://evil.example' })),
    );
    expect(err.reason).toBe('unknown_issuer');
  });

  it.each([
    ['two segments', 'a.b', 'The token is not a signed JWT (header.payload.signature)'],
    ['five segments (JWE)', 'a.b.c.d.e', 'Encrypted tokens (JWE) are not accepted'],
    [
      'an empty signature',
      craft({ alg: 'RS256', kid: 'rs256' }, payload, ''),
      'The token has no signature',
    ],
    [
      'a payload that is not JSON',
      'eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln',
      'The token payload is not UTF-8 JSON',
    ],
    [
      'standard base64 padding',
      `${craft({ alg: 'RS256' }, payload).split('.')[0]}=.e30.c2ln`,
      'The token header is not base64url',
    ],
    ...[
      ['padding', 'c2lnbg=='],
      ['the standard alphabet', 'c2l+bg/x'],
      ['a tilde', 'c2lnbmF0~XJl'],
      ['non-zero spare bits', 'c2lnbh'],
      ['a length of 1 mod 4', 'c2lnb'],
    ].map(([what, signature]) => [
      `a signature with ${what} (the passport path decodes it leniently)`,
      craft({ alg: 'RS256', kid: 'rs256' }, payload, signature),
      'The token signature is not base64url',
    ]),
    [
      'a JSON array header',
      `${Buffer.from('[1]').toString('base64url')}.e30.c2ln`,
      'The token header is not a JSON object',
    ],
    [
      'duplicate header members',
      `${Buffer.from('{"alg":"none","alg":"RS256","kid":"rs256"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`,
      'The token header has duplicate members',
    ],
  ])('refuses %s as malformed', async (_what: string, token: string, message: string) => {
    const err = await refusalOf(v.verify(token));
    expect(err.reason).toBe('malformed_token');
    expect(err.message).toBe(message);
  });
});

describe('TokenVerifier key selection from a JWK set', () => {
  const shared = verifier({
    jwks: {
      keys: [
        jwk(rsa, { kid: 'shared' }),
        jwk(p256, { kid: 'shared' }),
        jwk(p384, { kid: 'ops', key_ops: ['encrypt'] }),
        jwk(p256, { kid: 'ops', key_ops: ['verify'] }),
        jwk(p384, { kid: 'enc', use: 'enc' }),
        jwk(p384, { kid: 'no-verify', key_ops: ['sign'] }),
      ],
    },
  });

  it('picks the key of the shared kid that fits the token algorithm', async () => {
    const es = await shared.verify(signed({ alg: 'ES256', kid: 'shared' }, payload, p256));
    expect(es.key.equals(p256)).toBe(true);
    const rs = await shared.verify(signed({ alg: 'RS256', kid: 'shared' }, payload, rsa));
    expect(rs.key.equals(rsa)).toBe(true);
  });

  it('uses a key only when its key_ops include verify and its use is sig (when stated)', async () => {
    const ops = await shared.verify(signed({ alg: 'ES256', kid: 'ops' }, payload, p256));
    expect(ops.key.equals(p256)).toBe(true);
    expect(
      (await refusalOf(shared.verify(craft({ alg: 'ES384', kid: 'ops' }, payload)))).reason,
    ).toBe('key_mismatch');
    for (const kid of ['enc', 'no-verify']) {
      const err = await refusalOf(shared.verify(craft({ alg: 'ES384', kid }, payload)));
      expect(err.reason).toBe('unknown_kid');
    }
  });
});

describe('checkClaims', () => {
  const v = rules();

  const refusal = (claims: Record<string, unknown>, on = v) =>
    thrown(InvalidTokenError, () => on.check(claims));
  const accepts = (claims: Record<string, unknown>) =>
    expect(v.check(claims)).toBeInstanceOf(OidcPrincipal);

  describe('exp', () => {
    it.each([
      ['missing', undefined],
      ['a string', String(NOW + 300)],
      ['null', null],
      ['infinite', Infinity],
      ['NaN', NaN],
    ])('refuses an exp that is %s', (_what, exp) => {
      const err = refusal({ ...payload, exp });
      expect(err.reason).toBe('claim_invalid');
      expect(err.message).toBe('The token must have a numeric exp claim');
    });

    it.each([
      ['beyond the Date range', 9e12],
      ['after year 9999', 253_402_300_800],
      ['negative', -1],
      ['the largest double', Number.MAX_VALUE],
    ])('refuses an exp %s as claim_invalid, with a message that formats', (_what, exp) => {
      const err = refusal({ ...payload, exp });
      expect(err.reason).toBe('claim_invalid');
      expect(err.message).toBe('The token exp claim is out of range (0 to 253402300799)');
    });

    it('accepts an exp at the last second of year 9999, and its principal serialises', () => {
      const principal = v.check({ ...payload, exp: 253_402_300_799 });
      expect(JSON.parse(JSON.stringify(principal)).expiresAt).toBe('9999-12-31T23:59:59.000Z');
    });

    it('refuses a token expired beyond the tolerance, naming when it expired', () => {
      const err = refusal({ ...payload, exp: NOW - TOLERANCE - 1 });
      expect(err.reason).toBe('token_expired');
      expect(err.message).toBe(
        `The token expired at ${new Date((NOW - TOLERANCE - 1) * 1000).toISOString()}`,
      );
      // The tolerance is exclusive: exp + tolerance must lie after now.
      expect(refusal({ ...payload, exp: NOW - TOLERANCE }).reason).toBe('token_expired');
    });

    it('accepts a token expired within the tolerance, and fractional exp values', () => {
      accepts({ ...payload, exp: NOW - TOLERANCE + 1 });
      accepts({ ...payload, exp: NOW });
      accepts({ ...payload, exp: NOW + 0.5 });
    });

    it('follows the injected clock', () => {
      const later = rules({}, { nowSeconds: NOW + 301, toleranceSeconds: 0 });
      expect(() => later.check(payload)).toThrow('The token expired at');
      const zeroTolerance = rules({}, { nowSeconds: NOW + 299, toleranceSeconds: 0 });
      expect(zeroTolerance.check(payload).subject).toBe('alice');
    });
  });

  describe('nbf and iat', () => {
    it('refuses nbf in the future beyond the tolerance', () => {
      const err = refusal({ ...payload, nbf: NOW + TOLERANCE + 1 });
      expect(err.reason).toBe('token_not_yet_valid');
      expect(err.message).toBe('The token is not valid yet');
      accepts({ ...payload, nbf: NOW + TOLERANCE });
      accepts({ ...payload, nbf: NOW - 3600 });
    });

    it('refuses iat in the future beyond the tolerance', () => {
      const err = refusal({ ...payload, iat: NOW + TOLERANCE + 1 });
      expect(err.reason).toBe('token_not_yet_valid');
      expect(err.message).toBe('The token was issued in the future');
      accepts({ ...payload, iat: NOW + TOLERANCE });
    });

    it.each([
      ['nbf', -1],
      ['nbf', 9e12],
      ['iat', -0.5],
      ['iat', 1e300],
      ['auth_time', 9e12],
      ['auth_time', -86400],
    ])('refuses %s out of the NumericDate range (%j)', (name, value) => {
      const err = refusal({ ...payload, [name]: value });
      expect(err.reason).toBe('claim_invalid');
      expect(err.message).toBe(`The token ${name} claim is out of range (0 to 253402300799)`);
    });

    it('accepts an auth_time in the past or the future: only its range is checked', () => {
      accepts({ ...payload, auth_time: NOW - 86400 });
      accepts({ ...payload, auth_time: NOW + 86400 });
    });

    it.each([
      ['nbf', 'soon'],
      ['nbf', null],
      ['auth_time', '1800000000'],
      ['iat', String(NOW)],
      ['iat', Infinity],
    ])('refuses a non-numeric %s (%j)', (name, value) => {
      const err = refusal({ ...payload, [name]: value });
      expect(err.reason).toBe('claim_invalid');
      expect(err.message).toBe(`The token ${name} claim must be a number`);
    });

    it('does not require nbf or iat', () => {
      const { iat: _iat, ...withoutIat } = payload;
      accepts(withoutIat);
    });
  });

  describe('audience', () => {
    it.each([
      ['another audience', { aud: 'other-api' }],
      ['no audience', { aud: undefined }],
      ['an empty list', { aud: [] }],
      ['a case variant', { aud: 'API' }],
      ['a space-separated string naming ours (one audience, RFC 7519 §4.1.3)', { aud: 'evil api' }],
      ['a string of ours with a trailing space', { aud: 'api ' }],
    ])('refuses %s', (_what, change) => {
      const err = refusal({ ...payload, ...change });
      expect(err.reason).toBe('audience_mismatch');
      expect(err.message).toBe('The token is not meant for this API (audience)');
    });

    it.each([
      ['a number', 42],
      ['an object', { api: true }],
      ['a list with a non-string member', ['api', 42]],
      ['a list with a nested list', [['api']]],
      ['null', null],
    ])('refuses an aud that is %s as claim_invalid', (_what, aud) => {
      const err = refusal({ ...payload, aud });
      expect(err.reason).toBe('claim_invalid');
      expect(err.message).toBe('The token aud claim must be a string or a list of strings');
    });

    it('refuses a malformed aud even when the audience check is off', () => {
      expect(refusal({ ...payload, aud: [1] }, rules({ audience: false })).reason).toBe(
        'claim_invalid',
      );
    });

    it('reports a string aud with spaces as one audience on the principal', () => {
      const open = rules({ audience: false });
      const principal = open.check({ ...payload, aud: 'evil api' });
      expect(principal.audience).toEqual(['evil api']);
    });

    it('accepts an audience list that contains ours', () => {
      accepts({ ...payload, aud: ['https://idp.example/userinfo', 'api'] });
    });

    it('accepts any of several configured audiences', () => {
      const several = rules({ audience: ['api', 'api://api'] });
      expect(several.check({ ...payload, aud: 'api://api' })).toBeInstanceOf(OidcPrincipal);
    });

    it('reads the audience from client_id when so configured (Cognito)', () => {
      const cognito = rules({ audienceClaim: 'client_id', audience: 'app-client' });
      const { aud: _aud, ...noAud } = payload;
      expect(cognito.check({ ...noAud, client_id: 'app-client' })).toBeInstanceOf(OidcPrincipal);
      expect(refusal({ ...noAud, client_id: 'other-client' }, cognito).reason).toBe(
        'audience_mismatch',
      );
      // With audienceClaim set, a matching aud is not enough.
      expect(refusal({ ...payload, aud: 'app-client' }, cognito).reason).toBe('audience_mismatch');
    });

    it('skips the check when the audience is configured as false', () => {
      const open = rules({ audience: false });
      expect(open.check({ ...payload, aud: 'anything' })).toBeInstanceOf(OidcPrincipal);
    });
  });

  describe('subject and required claims', () => {
    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['a number', 42],
    ])('refuses a sub that is %s', (_what, sub) => {
      const err = refusal({ ...payload, sub });
      expect(err.reason).toBe('claim_invalid');
      expect(err.message).toBe('The token must have a sub claim');
    });

    it('refuses a token without a required claim, naming it', () => {
      const strict = rules({ requiredClaims: ['jti', 'client_id'] });
      expect(refusal(payload, strict).message).toBe('The token must have a jti claim');
      expect(refusal({ ...payload, jti: 'j1' }, strict).message).toBe(
        'The token must have a client_id claim',
      );
      expect(strict.check({ ...payload, jti: 'j1', client_id: 'c' })).toBeInstanceOf(OidcPrincipal);
    });
  });

  describe('validateClaims', () => {
    const strict = rules({
      validateClaims: (claims) => (claims.acr === 'mfa' ? undefined : 'The token needs MFA'),
    });

    it('refuses with the message the rule returns', () => {
      const err = refusal(payload, strict);
      expect(err.reason).toBe('claim_invalid');
      expect(err.message).toBe('The token needs MFA');
    });

    it('accepts when the rule returns nothing', () => {
      expect(strict.check({ ...payload, acr: 'mfa' }).subject).toBe('alice');
    });

    it('runs only after the standard checks', () => {
      const seen: unknown[] = [];
      const spy = rules({ validateClaims: (claims) => void seen.push(claims.sub) });
      refusal({ ...payload, exp: NOW - 3600 }, spy);
      refusal({ ...payload, aud: 'other' }, spy);
      expect(seen).toEqual([]);
    });
  });

  describe('the principal', () => {
    it('carries subject, issuer, audience, expiry, claims and the mapped scopes and roles', () => {
      const claims = {
        ...payload,
        aud: ['api', 'https://idp.example/userinfo'],
        scope: 'notes:read notes:write',
        roles: ['editor'],
        client_id: 'notes-spa',
        tid: 'tenant-1',
      };
      const principal = v.check(claims);
      expect(principal).toBeInstanceOf(OidcPrincipal);
      expect(principal.subject).toBe('alice');
      expect(principal.issuer).toBe(ISS);
      expect(principal.audience).toEqual(['api', 'https://idp.example/userinfo']);
      expect(principal.expiresAt).toEqual(new Date((NOW + 300) * 1000));
      expect(principal.scopes).toEqual(new Set(['notes:read', 'notes:write']));
      expect(principal.roles).toEqual(new Set(['editor']));
      expect(principal.clientId).toBe('notes-spa');
      expect(principal.tenantId).toBe('tenant-1');
      expect(principal.isAppOnly).toBe(false);
      expect(principal.claims).toBe(claims);
      expect(principal.hasScope('notes:write')).toBe(true);
      expect(principal.hasScope('notes')).toBe(false);
      expect(principal.toJSON()).toMatchObject({
        subject: 'alice',
        scopes: ['notes:read', 'notes:write'],
        roles: ['editor'],
        expiresAt: new Date((NOW + 300) * 1000).toISOString(),
      });
    });

    it('maps claims with the issuer’s claim mapper', () => {
      const entra = rules({ claimMapper: azureAdClaims });
      const principal = entra.check({
        ...payload,
        idtyp: 'app',
        roles: ['Notes.Read.All'],
        azp: 'daemon',
        tid: 't',
      });
      expect(principal.scopes).toEqual(new Set(['Notes.Read.All']));
      expect(principal.isAppOnly).toBe(true);
      expect(principal.clientId).toBe('daemon');
    });
  });
});

describe('TokenVerifier', () => {
  it('tags refusals from verify with the issuer they concern', async () => {
    const v = verifier();
    const err = await v
      .verify(craft({ alg: 'RS256', kid: 'rotated-away' }, payload))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OidcAuthError);
    expect((err as OidcAuthError).issuer).toBe(ISS);
  });
});
