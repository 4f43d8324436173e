import { createPublicKey, type KeyObject, randomBytes } from 'node:crypto';
import { accessTokenHash } from '../core/dpop/dpop-proof.js';
import { type AsymmetricAlgorithm, keyFits } from '../core/jose/algorithms.js';
import { jwkThumbprint } from '../core/jose/jwk-thumbprint.js';
import { signJws } from '../core/jose/jws-signer.js';
import { generateKeyPairFor } from '../core/jose/key-generation.js';

/**
 * The asymmetric JWS algorithms a DPoP key may sign with (RFC 9449 §4.2: never `none` or HS*):
 * RS, PS, ES, and EdDSA by its RFC 9864 names `Ed25519`, `Ed448` or the older `EdDSA`.
 */
export type DpopAlgorithm = AsymmetricAlgorithm;

/** The request a proof is for, and what binds it further. */
export interface DpopProofRequest {
  /** The HTTP method of the request, exactly as it is sent (`htm`). */
  method: string;
  /** The request URL; query and fragment are left out of `htu`. */
  url: string | URL;
  /** The access token sent with the request: the proof then carries its hash (`ath`). */
  accessToken?: string;
  /** The nonce the server last gave (`DPoP-Nonce`), when it asks for one. */
  nonce?: string;
}

const MIN_RSA_BITS = 2048;

// What each algorithm signs with, in JWA's names, for the error of a key that does not fit.
const KEY_NEEDED: Record<DpopAlgorithm, string> = {
  RS256: 'an RSA key',
  RS384: 'an RSA key',
  RS512: 'an RSA key',
  PS256: 'an RSA key',
  PS384: 'an RSA key',
  PS512: 'an RSA key',
  ES256: 'an EC key on P-256',
  ES384: 'an EC key on P-384',
  ES512: 'an EC key on P-521',
  Ed25519: 'an Ed25519 key',
  Ed448: 'an Ed448 key',
  EdDSA: 'an Ed25519 or Ed448 key',
};

/** Why `privateKey` cannot sign with `algorithm`, or undefined when it can. */
function mismatch(algorithm: DpopAlgorithm, privateKey: KeyObject): string | undefined {
  if (!keyFits(algorithm, privateKey)) return `${algorithm} needs ${KEY_NEEDED[algorithm]}`;
  if (privateKey.asymmetricKeyType !== 'rsa') return undefined;
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  return bits >= MIN_RSA_BITS ? undefined : `an RSA key needs at least ${MIN_RSA_BITS} bits`;
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Signs a compact JWS with exactly this header and payload. Proofs go through
 * {@link DpopKey.proof}; this is for tests that need a proof a careful client would never make.
 */
export function signDpopJws(
  key: DpopKey,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): string {
  const input = `${base64url(header)}.${base64url(payload)}`;
  const sig = signJws(key.algorithm, key.privateKey, Buffer.from(input));
  return `${input}.${sig.toString('base64url')}`;
}

/** The `htu` of a request to `url` (RFC 9449 §4.2): the URL without query, fragment or userinfo. */
export function dpopTargetUri(url: string | URL): string {
  const target = new URL(url);
  target.search = '';
  target.hash = '';
  target.username = '';
  target.password = '';
  return target.href;
}

/**
 * A client's DPoP key pair (RFC 9449): makes the proofs that show it holds the key a DPoP-bound
 * token is bound to. Its `thumbprint` is what such a token's `cnf.jkt` names.
 */
export class DpopKey {
  /** The public key as a JWK, public members only: what every proof carries in its header. */
  readonly publicJwk: Readonly<Record<string, string>>;
  /** The RFC 7638 SHA-256 thumbprint of the public key. */
  readonly thumbprint: string;

  private constructor(
    readonly algorithm: DpopAlgorithm,
    readonly privateKey: KeyObject,
  ) {
    if (privateKey.type !== 'private') throw new TypeError('a DPoP key must be a private key');
    const problem = mismatch(algorithm, privateKey);
    if (problem) throw new TypeError(problem);
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, string>;
    this.publicJwk = Object.freeze(jwk);
    // Never undefined: the key was checked to be EC, OKP (Ed25519, Ed448) or RSA above.
    this.thumbprint = jwkThumbprint(jwk)!;
  }

  /**
   * A new key pair for `algorithm` (default ES256); RSA keys have 2048 bits, `EdDSA` keys are
   * Ed25519.
   */
  static async generate(algorithm: DpopAlgorithm = 'ES256'): Promise<DpopKey> {
    const { privateKey } = await generateKeyPairFor(algorithm);
    return new DpopKey(algorithm, privateKey);
  }

  /** A key the application keeps itself; throws a TypeError if it cannot sign with `algorithm`. */
  static fromPrivateKey(privateKey: KeyObject, algorithm: DpopAlgorithm = 'ES256'): DpopKey {
    return new DpopKey(algorithm, privateKey);
  }

  /** A fresh proof (new `jti`, `iat` now) for one request. */
  proof(request: DpopProofRequest): string {
    const { header, payload } = dpopProofContents(this, request);
    return signDpopJws(this, header, payload);
  }
}

/** The header and claims of a fresh proof by `key` for `request`, before signing. */
export function dpopProofContents(
  key: DpopKey,
  request: DpopProofRequest,
): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const payload: Record<string, unknown> = {
    jti: randomBytes(16).toString('base64url'),
    htm: request.method,
    htu: dpopTargetUri(request.url),
    iat: Math.floor(Date.now() / 1000),
  };
  if (request.accessToken !== undefined) payload.ath = accessTokenHash(request.accessToken);
  if (request.nonce !== undefined) payload.nonce = request.nonce;
  return { header: { typ: 'dpop+jwt', alg: key.algorithm, jwk: key.publicJwk }, payload };
}
