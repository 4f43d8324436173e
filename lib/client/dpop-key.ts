import {
  constants,
  createPublicKey,
  generateKeyPair,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';
import { promisify } from 'node:util';
import { accessTokenHash } from '../core/dpop/dpop-proof.js';
import { jwkThumbprint } from '../core/jose/jwk-thumbprint.js';

/** The asymmetric JWS algorithms a DPoP key may sign with (RFC 9449 §4.2: never `none` or HS*). */
export type DpopAlgorithm =
  'ES256' | 'ES384' | 'ES512' | 'PS256' | 'PS384' | 'PS512' | 'RS256' | 'RS384' | 'RS512' | 'EdDSA';

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

const CURVES: Partial<Record<DpopAlgorithm, string>> = {
  ES256: 'P-256',
  ES384: 'P-384',
  ES512: 'P-521',
};
const MIN_RSA_BITS = 2048;
const generate = promisify(generateKeyPair);

function hashOf(algorithm: DpopAlgorithm): string | null {
  return algorithm === 'EdDSA' ? null : `sha${algorithm.slice(2)}`;
}

/** Why `privateKey` cannot sign with `algorithm`, or undefined when it can. */
function mismatch(
  algorithm: DpopAlgorithm,
  privateKey: KeyObject,
  jwk: Record<string, unknown>,
): string | undefined {
  if (CURVES[algorithm]) {
    return jwk.kty === 'EC' && jwk.crv === CURVES[algorithm]
      ? undefined
      : `${algorithm} needs an EC key on ${CURVES[algorithm]}`;
  }
  if (algorithm === 'EdDSA') {
    return jwk.kty === 'OKP' && (jwk.crv === 'Ed25519' || jwk.crv === 'Ed448')
      ? undefined
      : 'EdDSA needs an Ed25519 or Ed448 key';
  }
  if (jwk.kty !== 'RSA') return `${algorithm} needs an RSA key`;
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  return bits >= MIN_RSA_BITS ? undefined : `an RSA key needs at least ${MIN_RSA_BITS} bits`;
}

function signature(algorithm: DpopAlgorithm, privateKey: KeyObject, input: Buffer): Buffer {
  const hash = hashOf(algorithm);
  if (algorithm.startsWith('ES')) {
    // RFC 7518 §3.4: R || S, not the DER node:crypto produces by default.
    return sign(hash, input, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  }
  if (algorithm.startsWith('PS')) {
    return sign(hash, input, {
      key: privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
    });
  }
  return sign(hash, input, privateKey);
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
  const sig = signature(key.algorithm, key.privateKey, Buffer.from(input));
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
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, string>;
    const problem = mismatch(algorithm, privateKey, jwk);
    if (problem) throw new TypeError(problem);
    this.publicJwk = Object.freeze(jwk);
    // Never undefined: the key was checked to be EC, OKP or RSA above.
    this.thumbprint = jwkThumbprint(jwk)!;
  }

  /** A new key pair for `algorithm` (default ES256); RSA keys have 2048 bits. */
  static async generate(algorithm: DpopAlgorithm = 'ES256'): Promise<DpopKey> {
    const curve = CURVES[algorithm];
    const { privateKey } = curve
      ? await generate('ec', { namedCurve: curve })
      : algorithm === 'EdDSA'
        ? await generate('ed25519')
        : await generate('rsa', { modulusLength: MIN_RSA_BITS });
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
