import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { AsymmetricAlgorithm } from './algorithms.js';

const generate = promisify(generateKeyPair);

/**
 * A new key pair that signs with `algorithm`: RSA keys of 2048 bits, EC keys on the algorithm's
 * curve, and for `EdDSA`, which names no curve, Ed25519.
 */
export function generateKeyPairFor(
  algorithm: AsymmetricAlgorithm,
): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  switch (algorithm) {
    case 'ES256':
      return generate('ec', { namedCurve: 'P-256' });
    case 'ES384':
      return generate('ec', { namedCurve: 'P-384' });
    case 'ES512':
      return generate('ec', { namedCurve: 'P-521' });
    case 'Ed448':
      return generate('ed448');
    case 'Ed25519':
    case 'EdDSA':
      return generate('ed25519');
    default:
      return generate('rsa', { modulusLength: 2048 });
  }
}
