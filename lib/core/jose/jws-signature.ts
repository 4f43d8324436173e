import { constants, createHmac, type KeyObject, timingSafeEqual, verify } from 'node:crypto';
import { type Algorithm, familyOf, hashOf } from './algorithms.js';
import { decodeBase64url } from './jwt-parts.js';

// RFC 7518 §3.4: an ECDSA JWS signature is R || S, each exactly the curve's size.
const ECDSA_SIGNATURE_BYTES: Partial<Record<Algorithm, number>> = {
  ES256: 64,
  ES384: 96,
  ES512: 132,
};

// RFC 8032 §5.1.6 and §5.2.6: an EdDSA signature is 64 bytes on Ed25519 and 114 on Ed448, by the
// key's curve (`EdDSA` names either).
const EDDSA_SIGNATURE_BYTES: Readonly<Record<string, number>> = { ed25519: 64, ed448: 114 };

// The signing input is copied here rather than into a new Buffer per token: the checks below are
// synchronous, so no two calls ever share it. Grown for larger tokens.
let scratch = Buffer.allocUnsafe(8192);

/**
 * Checks the signature of a compact JWS (RFC 7515 §5.2) with a key already matched to the
 * algorithm, in one node:crypto call. A signature that is not canonical base64url throws
 * `malformed_token`. The payload is not decoded again: the caller's strict decode of the very same
 * bytes is what the signature covers. `dot`: the index of the dot before the signature, when the
 * caller has found it already. The caller has also checked that the signing input is base64url,
 * so one byte per character is its exact encoding.
 */
export function isSignatureValid(
  token: string,
  algorithm: Algorithm,
  key: KeyObject,
  dot = token.lastIndexOf('.'),
): boolean {
  if (scratch.length < dot) scratch = Buffer.allocUnsafe(dot);
  const signingInput = scratch.subarray(0, scratch.write(token, 0, dot, 'latin1'));
  const signature = decodeBase64url(token.slice(dot + 1), 'signature');
  const hash = hashOf(algorithm);
  switch (familyOf(algorithm)) {
    case 'hmac': {
      const expected = createHmac(hash!, key).update(signingInput).digest();
      return expected.length === signature.length && timingSafeEqual(expected, signature);
    }
    case 'ecdsa':
      return (
        signature.length === ECDSA_SIGNATURE_BYTES[algorithm] &&
        verify(hash, signingInput, { key, dsaEncoding: 'ieee-p1363' }, signature)
      );
    case 'eddsa':
      return (
        signature.length === EDDSA_SIGNATURE_BYTES[key.asymmetricKeyType!] &&
        verify(null, signingInput, key, signature)
      );
    case 'rsa-pss':
      return verify(
        hash,
        signingInput,
        {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        },
        signature,
      );
    case 'rsa-pkcs1':
      return verify(hash, signingInput, key, signature);
  }
}
