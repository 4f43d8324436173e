import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { normalizeHtu } from '../../protocol/dpop/dpop-htu.js';
import {
  type DPoPProofReason,
  InvalidDPoPProofError,
  InvalidTokenError,
  UseDPoPNonceError,
} from '../../protocol/errors/errors.js';
import {
  type AlgorithmFamily,
  ASYMMETRIC_ALGORITHMS,
  type AsymmetricAlgorithm,
  familyOf,
  isAlgorithm,
  isSymmetric,
  keyFits,
} from '../jose/algorithms.js';
import { OidcAuthConfigError } from '../config/config-error.js';
import type { DPoPNonces } from './dpop-nonce.js';
import { isSignatureValid } from '../jose/jws-signature.js';
import { thumbprintInput } from '../jose/jwk-thumbprint.js';
import { decodeUnverified, type UnverifiedJwt } from '../jose/jwt-parts.js';

export interface DPoPProofPolicy {
  /** Proof algorithms accepted (RFC 9449 `algs`). Default: every asymmetric one. */
  algorithms?: readonly AsymmetricAlgorithm[];
  /** How old a proof's `iat` may be, in seconds. Default 300. */
  maxAgeSeconds?: number;
  /** How far ahead of this server's clock a proof's `iat` may be, in seconds. Default 5. */
  futureSeconds?: number;
  /** Require a nonce these issued (RFC 9449 §9). Off unless given. */
  nonces?: DPoPNonces;
}

/** What the proof is checked against: the request it came with. */
export interface DPoPProofRequest {
  /** The HTTP method, as received (compared case-sensitively). */
  method: string;
  /** The request URI as `requestHtu()` normalised it; `undefined` matches no proof. */
  htu: string | undefined;
  /** The access token the request carries, which the proof's `ath` must hash. */
  accessToken: string;
  nowMs: number;
}

/** A proof that passed every check but replay, which needs the store. */
export interface DPoPProof {
  /** RFC 7638 thumbprint of the proof key: the token's `cnf.jkt` must equal it. */
  thumbprint: string;
  jti: string;
  iat: number;
}

// A proof header with a 4096-bit RSA key is about 1.5 KiB; anything far larger is not worth reading.
export const MAX_DPOP_PROOF_LENGTH = 8 * 1024;
// Stricter than RFC 9449 (no limit): the id is part of a store key.
const MAX_JTI_LENGTH = 256;
// RFC 7517 §9.2 / RFC 7518 §6 / RFC 8037 §2: members that only a private (or symmetric) key has.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
// The JWK key type (RFC 7518 §6.1, RFC 8037 §2) each asymmetric family signs with.
const JWK_KEY_TYPE: Partial<Record<AlgorithmFamily, string>> = {
  'rsa-pkcs1': 'RSA',
  'rsa-pss': 'RSA',
  ecdsa: 'EC',
  eddsa: 'OKP',
};

function refuse(reason: DPoPProofReason, message: string): never {
  throw new InvalidDPoPProofError(reason, message);
}

/** The checked algorithm list of a proof policy; refuses `none` and HMAC at configuration time. */
export function proofAlgorithms(
  algorithms: readonly string[] | undefined,
): readonly AsymmetricAlgorithm[] {
  if (algorithms === undefined) return ASYMMETRIC_ALGORITHMS;
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new OidcAuthConfigError('dpop.algorithms', 'must be a non-empty list');
  }
  for (const alg of algorithms) {
    if (!isAlgorithm(alg) || isSymmetric(alg)) {
      throw new OidcAuthConfigError(
        'dpop.algorithms',
        `${JSON.stringify(alg)} is not an asymmetric JWS algorithm (${ASYMMETRIC_ALGORITHMS.join(', ')})`,
      );
    }
  }
  return algorithms as readonly AsymmetricAlgorithm[];
}

function seconds(value: number | undefined, fallback: number, option: string): number {
  const result = value ?? fallback;
  if (!Number.isFinite(result) || result < 0) {
    throw new OidcAuthConfigError(option, 'must be a number of seconds >= 0');
  }
  return result;
}

/** `base64url(SHA-256(token))`: a proof's `ath` for this access token (RFC 9449 §4.2). */
export function accessTokenHash(token: string): string {
  return createHash('sha256').update(token, 'latin1').digest('base64url');
}

/**
 * The `cnf.jkt` a token is bound to (RFC 9449 §6.1): a string, `undefined` for an unbound token,
 * `null` for a `cnf` or `jkt` of the wrong shape, which binds the token to nothing that can be
 * proven.
 */
export function boundThumbprint(
  claims: Readonly<Record<string, unknown>>,
): string | null | undefined {
  const cnf = claims.cnf;
  if (cnf === undefined) return undefined;
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) return null;
  const jkt = (cnf as Record<string, unknown>).jkt;
  if (jkt === undefined) return undefined;
  return typeof jkt === 'string' && jkt !== '' ? jkt : null;
}

/**
 * Checks a DPoP proof (RFC 9449 §4.3) against the request it came with: strict compact JWS, `typ`,
 * allow-listed asymmetric `alg`, a public `jwk` that signed it, `jti`, `htm`, `htu`, `iat` window,
 * `ath` and, with nonces, `nonce`. Everything synchronous: the proof key comes with the proof.
 * Replay (`jti` seen before) is `DPoPReplayCache`'s to check, after this.
 */
export class DPoPProofVerifier {
  readonly algorithms: readonly AsymmetricAlgorithm[];
  readonly maxAgeSeconds: number;
  readonly futureSeconds: number;
  private readonly allowed: ReadonlySet<string>;
  private readonly nonces?: DPoPNonces;
  // Clients keep their key and token for many requests: the parsed key, its thumbprint and the
  // token's hash are each computed once, not per proof (the bench measures a DPoP request against
  // two bare signature checks). Keys are keyed by their RFC 7638 text, which is all of their material.
  private readonly keys = new LRUCache<string, ProofKey>({ max: 1_000 });
  private readonly tokenHashes = new LRUCache<string, string>({ max: 1_000 });

  constructor(policy: DPoPProofPolicy = {}) {
    this.algorithms = proofAlgorithms(policy.algorithms);
    this.allowed = new Set(this.algorithms);
    this.maxAgeSeconds = seconds(policy.maxAgeSeconds, 300, 'dpop.maxAgeSeconds');
    this.futureSeconds = seconds(policy.futureSeconds, 5, 'dpop.futureSeconds');
    this.nonces = policy.nonces;
  }

  /** How long a proof id must be remembered: as long as its `iat` can be accepted. */
  get replayWindowMs(): number {
    return (this.maxAgeSeconds + this.futureSeconds) * 1000;
  }

  /** Throws `InvalidDPoPProofError` (or `UseDPoPNonceError`) for the first check that fails. */
  verify(proof: string, request: DPoPProofRequest): DPoPProof {
    if (proof.length > MAX_DPOP_PROOF_LENGTH) {
      refuse(
        'dpop_proof_malformed',
        `The DPoP proof is longer than ${MAX_DPOP_PROOF_LENGTH} characters`,
      );
    }
    const { header, payload } = decode(proof);
    if (header.typ !== 'dpop+jwt')
      refuse('dpop_proof_typ_mismatch', 'The DPoP proof typ must be dpop+jwt');
    const alg = header.alg;
    if (!this.allowed.has(alg)) {
      refuse(
        'dpop_proof_algorithm_not_allowed',
        `The DPoP proof algorithm ${JSON.stringify(alg).slice(0, 40)} is not accepted`,
      );
    }
    if (header.crit !== undefined || header.b64 !== undefined) {
      refuse('dpop_proof_malformed', 'The DPoP proof uses a critical header extension');
    }
    const { key, thumbprint } = this.keyOf(header.jwk, alg as AsymmetricAlgorithm);
    if (!signatureValid(proof, alg as AsymmetricAlgorithm, key)) {
      refuse('dpop_proof_signature_invalid', 'The DPoP proof signature is invalid');
    }
    const { jti, htm, htu, iat, ath } = payload;
    if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) {
      refuse(
        'dpop_proof_jti_invalid',
        `The DPoP proof jti must be a string of 1 to ${MAX_JTI_LENGTH} characters`,
      );
    }
    if (htm !== request.method) {
      refuse('dpop_proof_htm_mismatch', 'The DPoP proof htm does not match the request method');
    }
    if (
      typeof htu !== 'string' ||
      request.htu === undefined ||
      // Most clients write htu as normalised already: no URL parsing then.
      (htu !== request.htu && normalizeHtu(htu) !== request.htu)
    ) {
      refuse('dpop_proof_htu_mismatch', 'The DPoP proof htu does not match the request URI');
    }
    const now = request.nowMs / 1000;
    if (typeof iat !== 'number' || !Number.isFinite(iat)) {
      refuse('dpop_proof_iat_invalid', 'The DPoP proof iat must be a number');
    }
    if (iat < now - this.maxAgeSeconds || iat > now + this.futureSeconds) {
      refuse('dpop_proof_iat_invalid', 'The DPoP proof iat is outside the accepted window');
    }
    if (typeof ath !== 'string' || ath !== this.hashOf(request.accessToken)) {
      refuse('dpop_proof_ath_mismatch', 'The DPoP proof ath does not match the access token');
    }
    if (this.nonces && !this.nonces.accepts(payload.nonce, request.nowMs)) {
      throw new UseDPoPNonceError(
        this.nonces.issue(request.nowMs),
        payload.nonce === undefined
          ? 'This resource requires a DPoP nonce'
          : 'The DPoP nonce is not current',
      );
    }
    return { thumbprint, jti, iat };
  }

  private keyOf(jwk: unknown, alg: AsymmetricAlgorithm): { key: KeyObject; thumbprint: string } {
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
      refuse('dpop_proof_key_invalid', 'The DPoP proof header has no jwk');
    }
    const members = jwk as Record<string, unknown>;
    if (PRIVATE_MEMBERS.some((name) => members[name] !== undefined)) {
      refuse('dpop_proof_key_invalid', 'The DPoP proof jwk must be a public key');
    }
    const kty = JWK_KEY_TYPE[familyOf(alg)];
    if (members.kty !== kty) {
      refuse('dpop_proof_key_invalid', `The DPoP proof algorithm ${alg} needs a ${kty} key`);
    }
    const input = thumbprintInput(members);
    if (input === undefined) refuse('dpop_proof_key_invalid', 'The DPoP proof jwk is incomplete');
    let known = this.keys.get(input);
    if (!known) {
      known = proofKeyOf(members, input);
      this.keys.set(input, known);
    }
    checkKeyFits(known, alg);
    return known;
  }

  private hashOf(token: string): string {
    let hash = this.tokenHashes.get(token);
    if (hash === undefined) {
      hash = accessTokenHash(token);
      this.tokenHashes.set(token, hash);
    }
    return hash;
  }
}

function decode(proof: string): UnverifiedJwt {
  try {
    return decodeUnverified(proof);
  } catch (err) {
    if (err instanceof InvalidTokenError) {
      refuse('dpop_proof_malformed', err.message.replace(/^The token/, 'The DPoP proof'));
    }
    throw err;
  }
}

function signatureValid(proof: string, alg: AsymmetricAlgorithm, key: KeyObject): boolean {
  try {
    return isSignatureValid(proof, alg, key);
  } catch (err) {
    if (err instanceof InvalidTokenError) return false;
    throw err;
  }
}

/** A proof key as parsed once: what checking it against an algorithm needs. */
interface ProofKey {
  key: KeyObject;
  thumbprint: string;
  bits: number;
}

function proofKeyOf(jwk: Record<string, unknown>, input: string): ProofKey {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    return refuse('dpop_proof_key_invalid', 'The DPoP proof jwk is not a usable public key');
  }
  return {
    key,
    thumbprint: createHash('sha256').update(input).digest('base64url'),
    bits:
      key.asymmetricKeyType === 'rsa'
        ? (key.asymmetricKeyDetails?.modulusLength ?? 0)
        : Number.POSITIVE_INFINITY,
  };
}

// Checked on every proof, cached key or not: one key may come with proofs of different algorithms.
function checkKeyFits(known: ProofKey, alg: AsymmetricAlgorithm): void {
  if (!keyFits(alg, known.key)) {
    refuse('dpop_proof_key_invalid', `The DPoP proof key is not on the curve ${alg} needs`);
  }
  if (known.bits < 2048) {
    refuse('dpop_proof_key_invalid', 'The DPoP proof key is shorter than 2048 bits');
  }
}
