import type { KeyObject } from 'node:crypto';
import { InvalidTokenError, OidcAuthError } from '../protocol/errors.js';
import { type Algorithm, curveFor, isAlgorithm, keyTypeFor } from './algorithms.js';
import { audienceList, type JwtClaims } from './claims.js';
import { IssuerRegistry } from './issuer-registry.js';
import { isSignatureValid } from './jws-signature.js';
import { checkBase64url, decodeUnverified, type JoseHeader } from './jwt-parts.js';
import type { VerificationKey } from './key-set.js';
import { OidcPrincipal } from './principal.js';
import { TrustedIssuer } from './trusted-issuer.js';

/** What the signature check needs, decided from the token before it is trusted. */
export interface KeyResolution {
  issuer: TrustedIssuer;
  algorithm: Algorithm;
  key: KeyObject;
  header: JoseHeader;
}

/** A token that passed every check, with what the verified-token cache needs to retire it. */
export interface VerifiedToken {
  principal: OidcPrincipal;
  /** The trusted issuer entry (for `{tenantid}` issuers, the template). */
  issuer: string;
  kid: string | undefined;
  /** The key the signature was verified with. */
  key: KeyObject;
}

export interface VerifierOptions {
  clockToleranceSeconds: number;
  now?: () => number;
}

// Checked like exp when present; auth_time (OIDC Core §2) only for its range: how old it may be is
// the application's rule.
const NUMERIC_DATES = ['nbf', 'iat', 'auth_time'] as const;

// RFC 7519 NumericDate, bounded by the last second of year 9999: every date claim that passes can
// become a Date and be printed (principal.toJSON, messages) without throwing a RangeError.
const LATEST_NUMERIC_DATE = 253_402_300_799;

function checkDateRange(name: string, seconds: number): void {
  if (seconds < 0 || seconds > LATEST_NUMERIC_DATE) {
    throw new InvalidTokenError(
      'claim_invalid',
      `The token ${name} claim is out of range (0 to ${LATEST_NUMERIC_DATE})`,
    );
  }
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
 * `x5c` headers are never used to find keys. `verify()` runs all three steps; the passport
 * strategy runs the same first and last steps around passport-jwt's own jsonwebtoken call.
 */
export class TokenVerifier {
  private readonly now: () => number;

  constructor(
    readonly registry: IssuerRegistry,
    private readonly options: VerifierOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The trusted issuers, for health reports, warm-up and metadata. */
  get issuers(): readonly TrustedIssuer[] {
    return this.registry.issuers;
  }

  /** Every algorithm some trusted issuer accepts; jsonwebtoken gets this as its own allow-list. */
  get algorithms(): Algorithm[] {
    return [...new Set(this.registry.issuers.flatMap((i) => [...i.algorithms]))];
  }

  get clockToleranceSeconds(): number {
    return this.options.clockToleranceSeconds;
  }

  /** Verifies a token, fetching its issuer's keys when they are not in memory. */
  async verify(token: string): Promise<VerifiedToken> {
    const { header, payload } = decodeUnverified(token);
    const issuer = this.registry.select(payload);
    return this.tagged(issuer, async () => {
      const algorithm = this.checkHeader(header, issuer);
      const key = await this.keyOf(header, issuer, algorithm);
      return this.finish(token, header, payload, issuer, algorithm, key);
    });
  }

  /**
   * Verifies a token without waiting when its key is already in memory, which is nearly always;
   * `undefined` means the key has to be fetched first (use `verify`). Refusals throw either way.
   * The guard takes this path so that most requests need no promise at all.
   */
  verifyNow(token: string): VerifiedToken | undefined {
    const { header, payload } = decodeUnverified(token);
    const issuer = this.registry.select(payload);
    return this.tagged(issuer, () => {
      const algorithm = this.checkHeader(header, issuer);
      if (issuer.secret) {
        return this.finish(token, header, payload, issuer, algorithm, issuer.secret);
      }
      const found = issuer.keySet!.peek(header.kid, algorithm);
      return (
        found &&
        this.finish(token, header, payload, issuer, algorithm, this.checkKey(found, algorithm))
      );
    });
  }

  /** The header checks and key lookup alone, for passport-jwt's `secretOrKeyProvider`. */
  async resolveKey(token: string): Promise<KeyResolution> {
    const { header, payload } = decodeUnverified(token);
    const issuer = this.registry.select(payload);
    const algorithm = this.checkHeader(header, issuer);
    // isSignatureValid refuses other spellings of a signature; jsonwebtoken would decode them.
    checkBase64url(token.slice(token.lastIndexOf('.') + 1), 'signature');
    return { issuer, algorithm, key: await this.keyOf(header, issuer, algorithm), header };
  }

  private async keyOf(
    header: JoseHeader,
    issuer: TrustedIssuer,
    algorithm: Algorithm,
  ): Promise<KeyObject> {
    return (
      issuer.secret ?? this.checkKey(await issuer.keySet!.get(header.kid, algorithm), algorithm)
    );
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
    header: JoseHeader,
    payload: JwtClaims,
    issuer: TrustedIssuer,
    algorithm: Algorithm,
    key: KeyObject,
  ): VerifiedToken {
    if (!isSignatureValid(token, algorithm, key)) {
      throw new InvalidTokenError('signature_invalid', 'The token signature is invalid');
    }
    return {
      principal: this.checkClaims(payload, issuer),
      issuer: issuer.issuer,
      kid: header.kid,
      key,
    };
  }

  private checkHeader(header: JoseHeader, issuer: TrustedIssuer): Algorithm {
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
    if (issuer.typ !== undefined) {
      if (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== normalizeTyp(issuer.typ)) {
        throw new InvalidTokenError('typ_mismatch', `The token type must be ${issuer.typ}`);
      }
    }
    if (header.kid !== undefined && typeof header.kid !== 'string') {
      throw new InvalidTokenError('malformed_token', 'The token kid must be a string');
    }
    return algorithm;
  }

  private checkKey(found: VerificationKey, algorithm: Algorithm): KeyObject {
    if (found.alg !== undefined && found.alg !== algorithm) {
      throw new InvalidTokenError(
        'key_mismatch',
        "The token algorithm differs from its key's algorithm",
      );
    }
    const key = found.key;
    if (key.asymmetricKeyType !== keyTypeFor(algorithm)) {
      throw new InvalidTokenError('key_mismatch', 'The token algorithm does not fit its key type');
    }
    const details = key.asymmetricKeyDetails;
    const curve = curveFor(algorithm);
    if (curve !== undefined && details?.namedCurve !== curve) {
      throw new InvalidTokenError('key_mismatch', 'The token algorithm does not fit its key curve');
    }
    if (key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) < 2048) {
      throw new InvalidTokenError('key_mismatch', 'The token key is shorter than 2048 bits');
    }
    return key;
  }

  /** Checks the claims of a token whose signature is verified (here, or by passport-jwt). */
  checkClaims(claims: JwtClaims, issuer: TrustedIssuer): OidcPrincipal {
    const nowSeconds = this.now() / 1000;
    const tolerance = this.options.clockToleranceSeconds;
    const exp = claims.exp;
    if (typeof exp !== 'number' || !Number.isFinite(exp)) {
      throw new InvalidTokenError('claim_invalid', 'The token must have a numeric exp claim');
    }
    checkDateRange('exp', exp);
    if (exp + tolerance <= nowSeconds) {
      throw new InvalidTokenError(
        'token_expired',
        `The token expired at ${new Date(exp * 1000).toISOString()}`,
      );
    }
    for (const name of NUMERIC_DATES) {
      const value = claims[name];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new InvalidTokenError('claim_invalid', `The token ${name} claim must be a number`);
      }
      checkDateRange(name, value);
      if (name !== 'auth_time' && value - tolerance > nowSeconds) {
        throw new InvalidTokenError(
          'token_not_yet_valid',
          name === 'nbf' ? 'The token is not valid yet' : 'The token was issued in the future',
        );
      }
    }
    const audienceClaim = claims[issuer.audienceClaim];
    const audience = audienceClaim === undefined ? [] : audienceList(audienceClaim);
    if (audience === undefined) {
      throw new InvalidTokenError(
        'claim_invalid',
        `The token ${issuer.audienceClaim} claim must be a string or a list of strings`,
      );
    }
    if (issuer.audiences) {
      if (!audience.some((aud) => issuer.audiences!.has(aud))) {
        throw new InvalidTokenError(
          'audience_mismatch',
          'The token is not meant for this API (audience)',
        );
      }
    }
    const subject = claims.sub;
    if (typeof subject !== 'string' || subject === '') {
      throw new InvalidTokenError('claim_invalid', 'The token must have a sub claim');
    }
    for (const name of issuer.requiredClaims) {
      if (claims[name] === undefined) {
        throw new InvalidTokenError('claim_invalid', `The token must have a ${name} claim`);
      }
    }
    const problem = issuer.validateClaims?.(claims);
    if (problem) throw new InvalidTokenError('claim_invalid', problem);
    return new OidcPrincipal(
      subject,
      claims.iss as string,
      audience,
      new Date(exp * 1000),
      issuer.claimMapper(claims),
      claims,
    );
  }
}
