import { constants, type KeyObject, randomUUID, sign } from 'node:crypto';
import type { Algorithm } from '../jose/algorithms.js';

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

function segment(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export interface ClientAssertionInput {
  clientId: string;
  /** Who the assertion is for: the authorization server's issuer identifier. */
  audience: string;
  key: KeyObject;
  algorithm: Algorithm;
  kid?: string;
  nowSeconds: number;
}

/**
 * An RFC 7523 §2.2 client assertion (private_key_jwt), signed with node:crypto: valid one minute,
 * with a fresh `jti` each time so the server can refuse a replayed one. RS, PS and ES algorithms
 * only; the key was matched to the algorithm at startup.
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
  const hash = HASH[algorithm.slice(2)];
  const data = Buffer.from(signingInput);
  const signature =
    algorithm[0] === 'E'
      ? sign(hash, data, { key, dsaEncoding: 'ieee-p1363' })
      : algorithm[0] === 'P'
        ? sign(hash, data, {
            key,
            padding: constants.RSA_PKCS1_PSS_PADDING,
            saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
          })
        : sign(hash, data, key);
  return `${signingInput}.${signature.toString('base64url')}`;
}
