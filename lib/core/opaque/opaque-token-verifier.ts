import {
  IntrospectionClientRefusedError,
  IntrospectionUnavailableError,
  InvalidTokenError,
  OidcAuthError,
} from '../../protocol/errors/errors.js';
import type { FetchJsonOptions } from '../../protocol/http/fetch-json.js';
import { LRUCache } from 'lru-cache';
import {
  IntrospectionCache,
  type IntrospectionEntry,
  parseEntry,
  type StoreProblem,
} from './introspection-cache.js';
import { checkIntrospectedClaims } from './introspection-claims.js';
import { objectClaim } from '../claims/claims.js';
import type { Introspector } from '../introspection/introspector.js';
import type { OidcPrincipal } from '../claims/principal.js';
import { INTROSPECTION_RETRY_AFTER_SECONDS, Rfc7662Introspector } from './rfc7662-introspector.js';
import type { OidcStore } from '../store/store.js';
import type { TokenVerifier } from '../jwt/token-verifier.js';
import type { TrustedIssuer } from '../issuers/trusted-issuer.js';

/**
 * Something about introspection an operator must hear of: an outage, the endpoint refusing this
 * API's own client credentials (its HTTP status and RFC 6749 `error` code), or a failing store.
 */
export type IntrospectionProblem =
  | { kind: 'unavailable'; issuer: string; detail: string }
  | { kind: 'client_refused'; issuer: string; status: number; error?: string }
  | ({ kind: 'store' } & StoreProblem);

export interface OpaqueTokenVerifierOptions {
  /** The JWT verifier: its trusted issuers, and its strict core for RFC 9701 signed responses. */
  verifier: TokenVerifier;
  /** Where introspection results are cached. */
  store: OidcStore;
  /** Leeway for `exp`, `nbf` and `iat` of introspection results, in seconds. */
  clockToleranceSeconds: number;
  /** Timeout and size bound of the discovery request for `introspection_endpoint`. */
  discoveryFetch: FetchJsonOptions;
  /** Told about each endpoint failure, refusal of this API's credentials and store failure. */
  onProblem?: (problem: IntrospectionProblem) => void;
  /** The clock, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}

interface Introspecting {
  issuer: TrustedIssuer;
  introspector: Introspector;
}

/**
 * Whether a token is a compact JWS by its shape alone: three dot-separated parts. Such tokens are
 * verified locally, strictly, and never sent anywhere; any other token (Ory's `ory_at_...`, Google's
 * `ya29....`, a JWE) may go to introspection.
 */
export function isCompactJws(token: string): boolean {
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  return second > 0 && token.indexOf('.', second + 1) < 0;
}

/**
 * Opaque access tokens, judged by introspection at their issuer and then checked like a JWT's claims.
 *
 * - Which issuers are asked: those with `introspection` whose `tokenPrefixes` (if any) the token
 *   starts with, one after another in the order configured. The first active answer decides (its
 *   claims then pass that issuer's checks or the token is refused); all inactive is 401
 *   `token_inactive`; an issuer that cannot answer, with no other one vouching for the token, is 503.
 *   Each issuer asked sees the token: with several, `tokenPrefixes` keeps a token from reaching
 *   issuers it is not from.
 * - Results are cached in the store: active ones at most `maxAgeMs` and never past the token's `exp`,
 *   inactive ones `inactiveMaxAgeMs`. Outages are not cached.
 * - Concurrent requests with a token not yet cached share one introspection (in this process).
 */
export class OpaqueTokenVerifier {
  private readonly introspecting: readonly Introspecting[];
  private readonly byIssuer = new Map<string, Introspecting>();
  private readonly cache: IntrospectionCache;
  private readonly inflight = new Map<string, Promise<IntrospectionEntry>>();
  // Principals made from stored entries, reused while the store holds the very same entry: the
  // store stays the truth (an entry gone or replaced is judged afresh), and a repeated token costs
  // a hash and a lookup, as a JWT in the verified-token cache does.
  private readonly principals = new LRUCache<string, { raw: string; principal: OidcPrincipal }>({
    max: 10_000,
  });
  private readonly now: () => number;
  private readonly report: (problem: IntrospectionProblem) => void;

  constructor(private readonly options: OpaqueTokenVerifierOptions) {
    this.now = options.now ?? Date.now;
    this.report = options.onProblem ?? (() => undefined);
    this.introspecting = options.verifier.issuers
      .filter((issuer) => issuer.introspection)
      .map((issuer) => ({ issuer, introspector: this.introspectorOf(issuer) }));
    for (const entry of this.introspecting) this.byIssuer.set(entry.issuer.issuer, entry);
    this.cache = new IntrospectionCache(options.store, (problem) =>
      this.report({ kind: 'store', ...problem }),
    );
  }

  /** Whether some trusted issuer introspects tokens. */
  get enabled(): boolean {
    return this.introspecting.length > 0;
  }

  /**
   * Prepares every introspector (discovers endpoints) ahead of the first token; the issuers that
   * could not be prepared, with why. Those are tried again on demand.
   */
  async warmUp(): Promise<Array<{ issuer: string; problem: string }>> {
    const failed = await Promise.all(
      this.introspecting.map(async ({ issuer, introspector }) => {
        try {
          await introspector.prepare?.();
          return [];
        } catch (err) {
          const problem =
            err instanceof IntrospectionUnavailableError
              ? err.detail
              : err instanceof Error
                ? err.message
                : String(err);
          return [{ issuer: issuer.issuer, problem }];
        }
      }),
    );
    return failed.flat();
  }

  /** Whether this token goes to introspection rather than to the JWT verifier. */
  handles(token: string): boolean {
    return this.introspecting.length > 0 && (!isCompactJws(token) || this.prefixed(token));
  }

  // A configured prefix names the token's form outright: Google's service-account access tokens
  // (`ya29.c.…`) have three dot-separated parts, and would otherwise pass for a JWS.
  private prefixed(token: string): boolean {
    return this.introspecting.some(({ issuer }) =>
      issuer.introspection!.tokenPrefixes.some((prefix) => token.startsWith(prefix)),
    );
  }

  /** Whether JWTs of this issuer are introspected too, after their local verification. */
  introspectsJwtsOf(issuer: string): boolean {
    return this.byIssuer.get(issuer)?.issuer.introspection?.introspectJwts === true;
  }

  /**
   * The principal of an opaque token: synchronous when its result is cached in a store that answers
   * synchronously. Throws (or rejects with) an `OidcAuthError`.
   */
  verify(token: string): OidcPrincipal | Promise<OidcPrincipal> {
    const key = this.cache.keyOf(token);
    const known = this.principals.get(key);
    if (known) {
      const raw = this.cache.get(key);
      if (raw === known.raw) return known.principal;
      if (raw instanceof Promise) {
        return raw.then((value) =>
          value === known.raw ? known.principal : this.verifyAfresh(token),
        );
      }
    }
    return this.verifyAfresh(token);
  }

  private verifyAfresh(token: string): OidcPrincipal | Promise<OidcPrincipal> {
    const candidates = this.candidatesOf(token);
    if (candidates.length === 0) {
      throw new InvalidTokenError(
        'unknown_issuer',
        'No trusted issuer introspects tokens of this form',
      );
    }
    return this.lookUp(token, candidates, (entry, key, raw) => {
      if (raw === undefined) return this.judge(entry);
      const principal = this.judge(entry);
      this.principals.set(key, { raw, principal });
      return principal;
    });
  }

  /**
   * For a JWT already verified locally, of an issuer with `introspectJwts`: refuses it when its
   * issuer says it is no longer active (revoked). Asks that issuer only.
   */
  checkActive(token: string, issuer: string): void | Promise<void> {
    const own = this.byIssuer.get(issuer);
    if (!own) return undefined;
    return this.lookUp(token, [own], (entry) => {
      if (entry.issuer === null) throw inactive();
    });
  }

  private lookUp<T>(
    token: string,
    candidates: readonly Introspecting[],
    use: (entry: IntrospectionEntry, key: string, raw?: string) => T,
  ): T | Promise<T> {
    const key = this.cache.keyOf(token);
    const fresh = (): Promise<T> =>
      this.introspectOnce(key, token, candidates).then((entry) => use(entry, key));
    const stored = (raw: string | undefined): T | Promise<T> => {
      const entry = raw === undefined ? undefined : parseEntry(raw);
      return entry ? use(entry, key, raw) : fresh();
    };
    const cached = this.cache.get(key);
    return cached instanceof Promise ? cached.then(stored) : stored(cached);
  }

  private introspectOnce(
    key: string,
    token: string,
    candidates: readonly Introspecting[],
  ): Promise<IntrospectionEntry> {
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.introspect(token, candidates)
        .then((entry) => {
          this.cache.set(key, entry, this.lifetimeOf(entry, candidates));
          return entry;
        })
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async introspect(
    token: string,
    candidates: readonly Introspecting[],
  ): Promise<IntrospectionEntry> {
    let outage: IntrospectionUnavailableError | undefined;
    for (const { issuer, introspector } of candidates) {
      try {
        const result = await introspector.introspect(token);
        if (result?.active !== true) continue;
        const claims = objectClaim(result.claims);
        if (!claims) throw new Error('it answered active without claims');
        return { issuer: issuer.issuer, claims };
      } catch (err) {
        const unavailable =
          err instanceof IntrospectionUnavailableError
            ? err
            : new IntrospectionUnavailableError(
                issuer.issuer,
                INTROSPECTION_RETRY_AFTER_SECONDS,
                `the introspector failed: ${err instanceof Error ? err.message : String(err)}`,
              );
        this.report(
          unavailable instanceof IntrospectionClientRefusedError
            ? {
                kind: 'client_refused',
                issuer: issuer.issuer,
                status: unavailable.status,
                error: unavailable.error,
              }
            : { kind: 'unavailable', issuer: issuer.issuer, detail: unavailable.detail },
        );
        outage ??= unavailable;
      }
    }
    if (outage) throw outage;
    return { issuer: null };
  }

  private judge(entry: IntrospectionEntry): OidcPrincipal {
    if (entry.issuer === null) throw inactive();
    const own = this.byIssuer.get(entry.issuer);
    // Written by a replica configured otherwise: not ours to believe.
    if (!own) throw inactive();
    try {
      return checkIntrospectedClaims(entry.claims, own.issuer, {
        nowSeconds: this.now() / 1000,
        toleranceSeconds: this.options.clockToleranceSeconds,
      });
    } catch (err) {
      if (err instanceof OidcAuthError) err.issuer ??= entry.issuer;
      throw err;
    }
  }

  /** Never past the token's `exp` (no leeway: revocation must take effect) nor `maxAgeMs`. */
  private lifetimeOf(entry: IntrospectionEntry, candidates: readonly Introspecting[]): number {
    if (entry.issuer === null) {
      return Math.min(...candidates.map((c) => c.issuer.introspection!.inactiveMaxAgeMs));
    }
    const settings = this.byIssuer.get(entry.issuer)!.issuer.introspection!;
    const exp = entry.claims.exp;
    if (typeof exp !== 'number' || !Number.isFinite(exp)) return 0;
    return Math.min(settings.maxAgeMs, exp * 1000 - this.now());
  }

  private candidatesOf(token: string): readonly Introspecting[] {
    return this.introspecting.filter(({ issuer }) => {
      const prefixes = issuer.introspection!.tokenPrefixes;
      return prefixes.length === 0 || prefixes.some((prefix) => token.startsWith(prefix));
    });
  }

  private introspectorOf(issuer: TrustedIssuer): Introspector {
    return (
      issuer.introspection!.introspector ??
      new Rfc7662Introspector({
        issuer,
        verifySignature: (jwt, of, typ) => this.options.verifier.verifySignature(jwt, of, typ),
        discoveryFetch: this.options.discoveryFetch,
        clockToleranceSeconds: this.options.clockToleranceSeconds,
        now: this.options.now,
      })
    );
  }
}

const inactive = () =>
  new InvalidTokenError(
    'token_inactive',
    'The token is not active (revoked, expired or unknown to its issuer)',
  );
