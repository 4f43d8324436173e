import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { SignJWT } from 'jose';
import { InvalidTokenError } from '../../../../lib/protocol/errors/errors.js';
import type { IssuerOptions } from '../../../../lib/core/issuers/issuer-options.js';
import { IssuerRegistry } from '../../../../lib/core/issuers/issuer-registry.js';
import { TokenVerifier } from '../../../../lib/core/jwt/token-verifier.js';
import { TrustedIssuer } from '../../../../lib/core/issuers/trusted-issuer.js';
import { rejected } from '../../../support/thrown.js';

const ISS = 'https://idp.example';
const NOW = 1_800_000_000;
const payload = { iss: ISS, aud: 'api', sub: 'alice', exp: NOW + 300, iat: NOW - 10 };

const ed25519 = generateKeyPairSync('ed25519');
const ed448 = generateKeyPairSync('ed448');
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const x25519 = generateKeyPairSync('x25519');

function jwk(key: KeyObject, extra: Record<string, unknown> = {}) {
  return { ...key.export({ format: 'jwk' }), ...extra };
}

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A token signed by node:crypto over exactly this header: for RFC 9864's `Ed448`, which jose 5
 * does not know, and for headers that disagree with the key.
 */
function signed(header: Record<string, unknown>, key: KeyObject, claims: object = payload): string {
  const input = `${segment(header)}.${segment(claims)}`;
  return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`;
}

/** A token signed by jose, the independent signer. */
function joseSigned(header: { alg: string; kid?: string }, key: KeyObject): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header).sign(key);
}

function verifier(keys: object[], options: Partial<IssuerOptions> = {}) {
  const issuer = new TrustedIssuer(
    { issuer: ISS, audience: 'api', jwks: { keys }, ...options },
    'issuers[0]',
  );
  return new TokenVerifier(new IssuerRegistry([issuer]), {
    clockToleranceSeconds: 60,
    now: () => NOW * 1000,
  });
}

const refusalOf = (promise: Promise<unknown>) => rejected(InvalidTokenError, promise);

describe('TokenVerifier with EdDSA (RFC 8037, RFC 9864)', () => {
  // No `algorithms` option anywhere: EdDSA is accepted by default, like RS, PS and ES.
  const v = verifier([
    jwk(ed25519.publicKey, { kid: 'ed25519' }),
    jwk(ed448.publicKey, { kid: 'ed448' }),
    jwk(ed25519.publicKey, { kid: 'says-eddsa', alg: 'EdDSA' }),
    jwk(ed25519.publicKey, { kid: 'says-ed25519', alg: 'Ed25519', use: 'sig' }),
    jwk(ed448.publicKey, { kid: 'says-ed448', alg: 'Ed448' }),
    jwk(p256.publicKey, { kid: 'p256' }),
    jwk(x25519.publicKey, { kid: 'x25519' }),
  ]);

  it.each([
    ['EdDSA on an Ed25519 key that names no alg', 'EdDSA', 'ed25519', ed25519],
    ['Ed25519 on an Ed25519 key that names no alg', 'Ed25519', 'ed25519', ed25519],
    ['EdDSA on a key that says EdDSA', 'EdDSA', 'says-eddsa', ed25519],
    ['Ed25519 on a key that says Ed25519', 'Ed25519', 'says-ed25519', ed25519],
    ['EdDSA on an Ed448 key that names no alg', 'EdDSA', 'ed448', ed448],
  ])('accepts %s, signed by jose, with the default algorithms', async (_what, alg, kid, pair) => {
    const verified = await v.verify(await joseSigned({ alg, kid }, pair.privateKey));
    expect(verified.key.equals(pair.publicKey)).toBe(true);
    expect(verified.algorithm).toBe(alg);
    expect(verified.principal.subject).toBe('alice');
  });

  it.each([
    ['Ed448 on an Ed448 key that names no alg', 'ed448'],
    ['Ed448 on a key that says Ed448', 'says-ed448'],
  ])('accepts %s (RFC 9864), also without waiting', async (_what, kid) => {
    const token = signed({ alg: 'Ed448', kid }, ed448.privateKey);
    expect((await v.verify(token)).algorithm).toBe('Ed448');
    expect(v.verifyNow(token)?.principal.subject).toBe('alice');
  });

  it.each([
    ['Ed448 on a key that says Ed25519', { alg: 'Ed448', kid: 'says-ed25519' }, ed448],
    ['EdDSA on a key that says Ed25519', { alg: 'EdDSA', kid: 'says-ed25519' }, ed25519],
    ['Ed25519 on a key that says EdDSA', { alg: 'Ed25519', kid: 'says-eddsa' }, ed25519],
    ['EdDSA with Ed448 on a key that says Ed25519', { alg: 'EdDSA', kid: 'says-ed25519' }, ed448],
    ['Ed25519 on a key that says Ed448', { alg: 'Ed25519', kid: 'says-ed448' }, ed25519],
  ])("refuses %s: a key's stated alg is the only one it verifies", async (_what, header, pair) => {
    const err = await refusalOf(v.verify(signed(header, pair.privateKey)));
    expect(err.reason).toBe('key_mismatch');
    expect(err.message).toBe("The token algorithm differs from its key's algorithm");
  });

  it.each([
    ['Ed25519 on an Ed448 key', { alg: 'Ed25519', kid: 'ed448' }, ed25519],
    ['Ed448 on an Ed25519 key', { alg: 'Ed448', kid: 'ed25519' }, ed448],
    ['EdDSA on a P-256 key', { alg: 'EdDSA', kid: 'p256' }, ed25519],
  ])('refuses %s by its key type', async (_what, header, pair) => {
    const err = await refusalOf(v.verify(signed(header, pair.privateKey)));
    expect(err.reason).toBe('key_mismatch');
    expect(err.message).toBe('The token algorithm does not fit its key type');
  });

  it('refuses ES256 on an Ed25519 key', async () => {
    const token = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', kid: 'ed25519' })
      .sign(p256.privateKey);
    expect((await refusalOf(v.verify(token))).reason).toBe('key_mismatch');
  });

  it('never verifies with an X25519 key (OKP, but for key agreement)', async () => {
    const err = await refusalOf(
      v.verify(signed({ alg: 'EdDSA', kid: 'x25519' }, ed25519.privateKey)),
    );
    expect(err.reason).toBe('unknown_kid');
  });

  it('refuses an Ed25519 signature of the wrong length or of zeros, and another key’s', async () => {
    const token = signed({ alg: 'Ed25519', kid: 'ed25519' }, ed25519.privateKey);
    const [header, body, signature] = token.split('.');
    const bytes = Buffer.from(signature, 'base64url');
    for (const other of [
      Buffer.concat([bytes, Buffer.alloc(1)]),
      bytes.subarray(0, 63),
      Buffer.alloc(64),
      Buffer.from(
        signed({ alg: 'Ed25519', kid: 'ed25519' }, generateKeyPairSync('ed25519').privateKey).split(
          '.',
        )[2],
        'base64url',
      ),
    ]) {
      const err = await refusalOf(v.verify(`${header}.${body}.${other.toString('base64url')}`));
      expect(err.reason).toBe('signature_invalid');
    }
  });

  it('refuses an EdDSA token when the issuer allows only other algorithms', async () => {
    const narrow = verifier([jwk(ed25519.publicKey, { kid: 'ed25519' })], {
      algorithms: ['ES256', 'Ed448'],
    });
    for (const alg of ['EdDSA', 'Ed25519']) {
      const err = await refusalOf(
        narrow.verify(signed({ alg, kid: 'ed25519' }, ed25519.privateKey)),
      );
      expect(err.reason).toBe('algorithm_not_allowed');
    }
  });

  describe('keys of different types under one kid (RFC 7517 §4.5)', () => {
    const shared = verifier([
      jwk(ed25519.publicKey, { kid: 'shared' }),
      jwk(ed448.publicKey, { kid: 'shared' }),
      jwk(p256.publicKey, { kid: 'shared' }),
      jwk(ed448.publicKey, { kid: 'enc', use: 'enc' }),
      jwk(ed25519.publicKey, { kid: 'ops', key_ops: ['sign'] }),
      jwk(ed25519.publicKey, { kid: 'ops-verify', key_ops: ['verify'] }),
    ]);

    it('picks the key the fully-specified name or the ES algorithm fits', async () => {
      const a = await shared.verify(signed({ alg: 'Ed25519', kid: 'shared' }, ed25519.privateKey));
      expect(a.key.equals(ed25519.publicKey)).toBe(true);
      const b = await shared.verify(signed({ alg: 'Ed448', kid: 'shared' }, ed448.privateKey));
      expect(b.key.equals(ed448.publicKey)).toBe(true);
      const c = await shared.verify(
        await new SignJWT(payload)
          .setProtectedHeader({ alg: 'ES256', kid: 'shared' })
          .sign(p256.privateKey),
      );
      expect(c.key.equals(p256.publicKey)).toBe(true);
    });

    it('refuses EdDSA under a kid naming both an Ed25519 and an Ed448 key, rather than pick one', async () => {
      const err = await refusalOf(
        shared.verify(signed({ alg: 'EdDSA', kid: 'shared' }, ed25519.privateKey)),
      );
      expect(err.reason).toBe('unknown_kid');
      expect(err.message).toBe(
        'The issuer publishes several keys under the token kid; none can be chosen',
      );
    });

    it('uses an OKP key only when its use is sig and its key_ops include verify', async () => {
      for (const kid of ['enc', 'ops']) {
        const pair = kid === 'enc' ? ed448 : ed25519;
        const err = await refusalOf(shared.verify(signed({ alg: 'EdDSA', kid }, pair.privateKey)));
        expect(err.reason).toBe('unknown_kid');
      }
      const ok = await shared.verify(
        signed({ alg: 'EdDSA', kid: 'ops-verify' }, ed25519.privateKey),
      );
      expect(ok.key.equals(ed25519.publicKey)).toBe(true);
    });
  });
});
