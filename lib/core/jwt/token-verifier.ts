import type { KeyObject } from 'node:crypto';
import { InvalidTokenError, OidcAuthError } from '../../protocol/errors/errors.js';
import { type Algorithm, isAlgorithm } from '../jose/algorithms.js';
import { checkClaims } from './claim-rules.js';
import type { JwtClaims } from '../claims/claims.js';
import { IssuerRegistry } from '../issuers/issuer-registry.js';
import { isSignatureValid } from '../jose/jws-signature.js';
import {
  decodeUnverified,
  type JoseHeader,
  KnownHeaders,
  type UnverifiedCompactJwt,
} from '../jose/jwt-parts.js';
import { usableKey } from '../keys/key-set.js';
import type { OidcPrincipal } from '../claims/principal.js';
import { TrustedIssuer } from '../issuers/trusted-issuer.js';

/** A token that passed every check, with what the verified-token cache needs to retire it. */
export interface VerifiedToken {
  principal: OidcPrincipal;
  /** The trusted issuer entry (for `{tenantid}` issuers, the template). */
  issuer: string;
  kid: string | undefined;
  /** The algorithm the signature was verified with. */
  algorithm: Algorithm;
  /** The key the signature was verified with. */
  key: KeyObject;
  /** For an issuer the resolver approved: until when (epoch ms) that approval holds. */
  trustedUntil?: number;
}

export interface VerifierOptions {
  clockToleranceSeconds: number;
  now?: () => number;
}

function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

/**
 * Verification of a JWT access token: what must hold of the header before a key is chosen, the
 * signature (one node:crypto call, over the bytes the strict decoder read), and what must hold of
 * the claims afterwards. RFC 8725
 * throughout: algorithms allow-listed per issuer and matched to the key; `jku`, `x5u`, `jwk` and
 * `x5c` headers are never used to find keys. `verify()` runs all three steps,
 * `verifyNow()` the same without waiting for a key fetch.
 */
export class TokenVerifier {
  private readonly now: () => number;
  private readonly knownHeaders = new KnownHeaders();

  constructor(
    private readonly registry: IssuerRegistry,
    private readonly options: VerifierOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The static trusted issuers, for health reports, warm-up and metadata. */
  get issuers(): readonly TrustedIssuer[] {
    return this.registry.issuers;
  }

  /** How many issuers the issuer resolver approved are kept now (0 without a resolver). */
  get resolvedIssuerCount(): number {
    return this.registry.resolved?.size ?? 0;
  }

  /**
   * Whether the issuer of claims verified earlier (a long-lived connection's token) is still
   * trusted: throws, or rejects, with the refusal when it is not. Static issuers cannot stop being
   * trusted, so without an issuer resolver this costs nothing; with one, a lookup while the
   * approval holds, and the resolver's answer once it has run out.
   */
  recheckIssuer(claims: Readonly<Record<string, unknown>>): void | Promise<void> {
    if (!this.registry.resolved || this.registry.select(claims)) return;
    return this.registry.resolve(claims).then(() => undefined);
  }

  /** Verifies a token, fetching its issuer's keys when they are not in memory. */
  async verify(token: string): Promise<VerifiedToken> {
    const unverified = decodeUnverified(token, this.knownHeaders);
    const { header, payload } = unverified;
    const issuer = await this.registry.resolve(payload);
    return this.tagged(issuer, async () => {
      const algorithm = this.checkHeader(header, issuer);
      const key = await this.keyOf(header, issuer, algorithm);
      return this.finish(token, unverified, issuer, algorithm, key);
    });
  }

  /**
   * Verifies a token without waiting when its key is already in memory, which is nearly always;
   * `undefined` means the key has to be fetched first (use `verify`). Refusals throw either way.
   * The guard takes this path so that most requests need no promise at all.
   */
  verifyNow(token: string): VerifiedToken | undefined {
    const unverified = decodeUnverified(token, this.knownHeaders);
    const { header, payload } = unverified;
    const issuer = this.registry.select(payload);
    if (!issuer) return undefined;
    return this.tagged(issuer, () => {
      const algorithm = this.checkHeader(header, issuer);
      if (issuer.secret) {
        return this.finish(token, unverified, issuer, algorithm, issuer.secret);
      }
      const found = issuer.keySet!.peek(header.kid, algorithm);
      return (
        found && this.finish(token, unverified, issuer, algorithm, usableKey(found, algorithm))
      );
    });
  }

  /**
   * Verifies the signature of another JWT the issuer signs with its keys (an RFC 9701 signed
   * introspection response) by the same header rules, key choice and signature check, with `typ`
   * required; its claims are the caller's to check.
   */
  async verifySignature(jwt: string, issuer: TrustedIssuer, typ: string): Promise<JwtClaims> {
    const { header, payload } = decodeUnverified(jwt);
    const algorithm = this.checkHeader(header, issuer, typ);
    const key = await this.keyOf(header, issuer, algorithm);
    if (!isSignatureValid(jwt, algorithm, key)) {
      throw new InvalidTokenError('signature_invalid', 'The signature is invalid');
    }
    return payload;
  }

  private async keyOf(
    header: JoseHeader,
    issuer: TrustedIssuer,
    algorithm: Algorithm,
  ): Promise<KeyObject> {
    return issuer.secret ?? usableKey(await issuer.keySet!.get(header.kid, algorithm), algorithm);
  }

  // Refusals name the issuer they concern, for the log line.
  private tagged<T>(issuer: TrustedIssuer, run: () => T): T {
    const tag = (err: unknown): never => {
      if (err instanceof OidcAuthError) err.issuer ??= issuer.issuer;
      throw err;
    };
    try {
      const result = run();
      return (result instanceof Promise ? result.catch(tag) : result) as T;
    } catch (err) {
      return tag(err);
    }
  }

  private finish(
    token: string,
    { header, payload, headerSegment, signatureDot }: UnverifiedCompactJwt,
    issuer: TrustedIssuer,
    algorithm: Algorithm,
    key: KeyObject,
  ): VerifiedToken {
    if (!isSignatureValid(token, algorithm, key, signatureDot)) {
      throw new InvalidTokenError('signature_invalid', 'The token signature is invalid');
    }
    this.knownHeaders.remember(headerSegment, header);
    return {
      principal: checkClaims(payload, issuer, {
        nowSeconds: this.now() / 1000,
        toleranceSeconds: this.options.clockToleranceSeconds,
      }),
      issuer: issuer.issuer,
      kid: header.kid,
      algorithm,
      key,
      trustedUntil: this.registry.resolved?.trustedUntil(issuer),
    };
  }

  private checkHeader(
    header: JoseHeader,
    issuer: TrustedIssuer,
    typ: string | undefined = issuer.typ,
  ): Algorithm {
    const algorithm = header.alg;
    if (!isAlgorithm(algorithm) || !issuer.algorithms.has(algorithm)) {
      throw new InvalidTokenError(
        'algorithm_not_allowed',
        `The token algorithm ${JSON.stringify(algorithm).slice(0, 40)} is not accepted`,
      );
    }
    // RFC 7515 §4.1.11: extensions we do not implement (b64 among them) must be refused.
    if (header.crit !== undefined || header.b64 !== undefined) {
      throw new InvalidTokenError(
        'unsupported_critical_header',
        'The token uses a critical header extension this API does not support',
      );
    }
    if (typ !== undefined) {
      if (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== normalizeTyp(typ)) {
        throw new InvalidTokenError('typ_mismatch', `The token type must be ${typ}`);
      }
    }
    if (header.kid !== undefined && typeof header.kid !== 'string') {
      throw new InvalidTokenError('malformed_token', 'The token kid must be a string');
    }
    return algorithm;
  }
}
