import { createSecretKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { CompactSign } from 'jose';
import {
  type Algorithm,
  ASYMMETRIC_ALGORITHMS,
  SYMMETRIC_ALGORITHMS,
} from '../../../../lib/core/jose/algorithms.js';
import { isSignatureValid } from '../../../../lib/core/jose/jws-signature.js';

const payload = new TextEncoder().encode(JSON.stringify({ sub: 'alice' }));

function keysFor(alg: Algorithm): { signing: KeyObject; verifying: KeyObject } {
  if (alg.startsWith('HS')) {
    const secret = createSecretKey(Buffer.alloc(64, 7));
    return { signing: secret, verifying: secret };
  }
  const pair = alg.startsWith('ES')
    ? generateKeyPairSync('ec', {
        namedCurve: { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg as 'ES256'],
      })
    : alg === 'Ed448'
      ? generateKeyPairSync('ed448')
      : alg.startsWith('Ed')
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { signing: pair.privateKey, verifying: pair.publicKey };
}

/** jose signs every algorithm but RFC 9864's Ed448, which jose 5 does not know; node:crypto does. */
async function signedBy(alg: Algorithm, key: KeyObject): Promise<string> {
  if (alg !== 'Ed448') return new CompactSign(payload).setProtectedHeader({ alg }).sign(key);
  const input = `${Buffer.from(JSON.stringify({ alg })).toString('base64url')}.${Buffer.from(payload).toString('base64url')}`;
  return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`;
}

const ALGORITHMS: Algorithm[] = [...ASYMMETRIC_ALGORITHMS, ...SYMMETRIC_ALGORITHMS];

describe.each(ALGORITHMS)('isSignatureValid with %s', (alg) => {
  const { signing, verifying } = keysFor(alg);
  let token: string;

  beforeAll(async () => {
    token = await signedBy(alg, signing);
  });

  it('accepts the signature jose made', () => {
    expect(isSignatureValid(token, alg, verifying)).toBe(true);
  });

  it('refuses a changed payload or signature', () => {
    const [header, body, signature] = token.split('.');
    const otherBody = Buffer.from(JSON.stringify({ sub: 'mallory' })).toString('base64url');
    expect(isSignatureValid(`${header}.${otherBody}.${signature}`, alg, verifying)).toBe(false);
    const bytes = Buffer.from(signature, 'base64url');
    bytes[bytes.length - 1] ^= 1;
    expect(
      isSignatureValid(`${header}.${body}.${bytes.toString('base64url')}`, alg, verifying),
    ).toBe(false);
    expect(() => isSignatureValid(`${header}.${body}.`, alg, verifying)).toThrow(
      'The token signature is not base64url',
    );
  });

  it('refuses other spellings of the same signature bytes instead of normalising them', () => {
    const [header, body, signature] = token.split('.');
    const standard = Buffer.from(signature, 'base64url').toString('base64');
    for (const variant of [`${signature}=`, `${signature}~`, `~${signature}`, standard]) {
      if (variant === signature) continue;
      expect(() => isSignatureValid(`${header}.${body}.${variant}`, alg, verifying)).toThrow(
        expect.objectContaining({ reason: 'malformed_token' }),
      );
    }
  });
});

describe('isSignatureValid, ECDSA encodings', () => {
  it('refuses a DER-encoded ECDSA signature (JWS requires R || S)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const input = `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}`;
    const der = sign('sha256', Buffer.from(input), privateKey);
    expect(isSignatureValid(`${input}.${der.toString('base64url')}`, 'ES256', publicKey)).toBe(
      false,
    );
    const raw = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    expect(isSignatureValid(`${input}.${raw.toString('base64url')}`, 'ES256', publicKey)).toBe(
      true,
    );
  });

  it('refuses an RSASSA-PKCS1 signature offered as PS256, and the reverse', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const input = 'eyJhbGciOiJSUzI1NiJ9.e30';
    const pkcs1 = sign('sha256', Buffer.from(input), privateKey).toString('base64url');
    expect(isSignatureValid(`${input}.${pkcs1}`, 'RS256', publicKey)).toBe(true);
    expect(isSignatureValid(`${input}.${pkcs1}`, 'PS256', publicKey)).toBe(false);
  });
});

describe('isSignatureValid, EdDSA (RFC 8037, RFC 9864)', () => {
  const ed25519 = generateKeyPairSync('ed25519');
  const ed448 = generateKeyPairSync('ed448');
  const input = `${Buffer.from('{"alg":"EdDSA"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}`;
  const withSignature = (bytes: Buffer) => `${input}.${bytes.toString('base64url')}`;

  it('checks EdDSA with the curve of the key: 64-byte Ed25519 and 114-byte Ed448 signatures', () => {
    const short = sign(null, Buffer.from(input), ed25519.privateKey);
    const long = sign(null, Buffer.from(input), ed448.privateKey);
    expect([short.length, long.length]).toEqual([64, 114]);
    expect(isSignatureValid(withSignature(short), 'EdDSA', ed25519.publicKey)).toBe(true);
    expect(isSignatureValid(withSignature(long), 'EdDSA', ed448.publicKey)).toBe(true);
    expect(isSignatureValid(withSignature(long), 'EdDSA', ed25519.publicKey)).toBe(false);
    expect(isSignatureValid(withSignature(short), 'EdDSA', ed448.publicKey)).toBe(false);
  });

  it('refuses a signature one byte longer or shorter, or all zeros, instead of trimming it', () => {
    const good = sign(null, Buffer.from(input), ed25519.privateKey);
    for (const bytes of [
      Buffer.concat([good, Buffer.from([0])]),
      good.subarray(0, 63),
      Buffer.alloc(64),
    ]) {
      expect(isSignatureValid(withSignature(bytes), 'Ed25519', ed25519.publicKey)).toBe(false);
    }
  });
});
