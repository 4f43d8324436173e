import { createSecretKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { CompactSign } from 'jose';
import {
  type Algorithm,
  ASYMMETRIC_ALGORITHMS,
  SYMMETRIC_ALGORITHMS,
} from '../../../../lib/core/jose/algorithms.js';
import { isSignatureValid } from '../../../../lib/core/jose/jws-signature.js';

function keysFor(alg: Algorithm): { signing: KeyObject; verifying: KeyObject } {
  if (alg.startsWith('HS')) {
    const secret = createSecretKey(Buffer.alloc(64, 7));
    return { signing: secret, verifying: secret };
  }
  const pair = alg.startsWith('ES')
    ? generateKeyPairSync('ec', {
        namedCurve: { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg as 'ES256'],
      })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { signing: pair.privateKey, verifying: pair.publicKey };
}

const ALGORITHMS: Algorithm[] = [...ASYMMETRIC_ALGORITHMS, ...SYMMETRIC_ALGORITHMS];

const payload = new TextEncoder().encode(JSON.stringify({ sub: 'alice' }));

describe.each(ALGORITHMS)('isSignatureValid with %s', (alg) => {
  const { signing, verifying } = keysFor(alg);
  let token: string;

  beforeAll(async () => {
    token = await new CompactSign(payload).setProtectedHeader({ alg }).sign(signing);
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
