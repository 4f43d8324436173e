import { createHash, type KeyObject, randomUUID, sign } from 'node:crypto';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  type CryptoKey,
  type JWK,
  SignJWT,
} from 'jose';

/** A client's DPoP key pair, made and used with jose: an implementation independent of lib/. */
export interface DPoPKey {
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** RFC 7638 thumbprint, as jose computes it: what a bound token's `cnf.jkt` holds. */
  thumbprint: string;
}

/** `crv`: for `EdDSA`, which curve (Ed25519 unless given). */
export async function dpopKey(alg = 'ES256', crv?: string): Promise<DPoPKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, crv });
  const publicJwk = await exportJWK(publicKey);
  return { alg, privateKey, publicJwk, thumbprint: await calculateJwkThumbprint(publicJwk) };
}

export interface ProofOptions {
  htm: string;
  htu: string;
  /** The access token the proof accompanies (`ath`); omitted when undefined. */
  accessToken?: string;
  /** Claims added to or overriding the defaults (`jti`, `iat`, `htm`, `htu`, `ath`). */
  claims?: Record<string, unknown>;
  /** Header members added to or overriding `typ`, `alg`, `jwk`. */
  header?: Record<string, unknown>;
}

export const athOf = (token: string): string =>
  createHash('sha256').update(token).digest('base64url');

/** A DPoP proof (RFC 9449 §4.2) signed with `key`. */
export function makeProof(key: DPoPKey, options: ProofOptions): Promise<string> {
  const payload = {
    jti: randomUUID(),
    htm: options.htm,
    htu: options.htu,
    iat: Math.floor(Date.now() / 1000),
    ...(options.accessToken === undefined ? {} : { ath: athOf(options.accessToken) }),
    ...options.claims,
  };
  return new SignJWT(payload)
    .setProtectedHeader({
      alg: key.alg,
      typ: 'dpop+jwt',
      jwk: key.publicJwk,
      ...options.header,
    } as Parameters<SignJWT['setProtectedHeader']>[0])
    .sign(key.privateKey);
}

/**
 * A proof of any header and payload, signed with node:crypto (ES256 on a P-256 key, RS256 on an
 * RSA one, EdDSA on an Ed25519 or Ed448 one), for what jose refuses to sign: unknown `crit`, short
 * RSA keys, private `jwk`s, RFC 9864's `Ed448`.
 */
export function signRawProof(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  privateKey: KeyObject,
): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const type = privateKey.asymmetricKeyType;
  const signature =
    type === 'ec'
      ? sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })
      : sign(type === 'rsa' ? 'sha256' : null, Buffer.from(input), privateKey);
  return `${input}.${signature.toString('base64url')}`;
}
