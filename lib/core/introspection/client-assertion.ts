import { type KeyObject, randomUUID } from 'node:crypto';
import type { AsymmetricAlgorithm } from '../jose/algorithms.js';
import { signJws } from '../jose/jws-signer.js';

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

function segment(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export interface ClientAssertionInput {
  clientId: string;
  /** Who the assertion is for: the authorization server's issuer identifier. */
  audience: string;
  key: KeyObject;
  algorithm: AsymmetricAlgorithm;
  kid?: string;
  nowSeconds: number;
}

/**
 * An RFC 7523 §2.2 client assertion (private_key_jwt), signed with node:crypto: valid one minute,
 * with a fresh `jti` each time so the server can refuse a replayed one. Asymmetric algorithms only;
 * the key was matched to the algorithm at startup.
 */
export function signClientAssertion(input: ClientAssertionInput): string {
  const { clientId, algorithm, key, nowSeconds } = input;
  const iat = Math.floor(nowSeconds);
  const header = { alg: algorithm, typ: 'JWT', ...(input.kid ? { kid: input.kid } : {}) };
  const payload = {
    iss: clientId,
    sub: clientId,
    aud: input.audience,
    jti: randomUUID(),
    iat,
    exp: iat + 60,
  };
  const signingInput = `${segment(header)}.${segment(payload)}`;
  const signature = signJws(algorithm, key, Buffer.from(signingInput));
  return `${signingInput}.${signature.toString('base64url')}`;
}
