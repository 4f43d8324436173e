import { constants, type KeyObject, sign } from 'node:crypto';
import { type AsymmetricAlgorithm, familyOf, hashOf } from './algorithms.js';

/**
 * The JWS signature (RFC 7515 §5.1) of `signingInput` with a private key already matched to the
 * algorithm: ECDSA as R || S (RFC 7518 §3.4), not the DER node:crypto makes by default; PSS with
 * a digest-sized salt; EdDSA over the input itself (RFC 8037 §3.1).
 */
export function signJws(
  algorithm: AsymmetricAlgorithm,
  privateKey: KeyObject,
  signingInput: Buffer,
): Buffer {
  const hash = hashOf(algorithm);
  switch (familyOf(algorithm)) {
    case 'ecdsa':
      return sign(hash, signingInput, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    case 'rsa-pss':
      return sign(hash, signingInput, {
        key: privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      });
    default:
      return sign(hash, signingInput, privateKey);
  }
}
