import { OidcAuthConfigError } from '../config/config-error.js';

/**
 * What a revocation is keyed by, besides the issuer: the token's `sub`, its session (`sid`), its
 * client (the principal's client id), or its `email` claim (RFC 9493 `email` subjects).
 */
export type RevocationScope = 'subject' | 'session' | 'client' | 'email';

/** Whom a revocation concerns: tokens of `issuer` whose `scope` is `value`. */
export interface RevocationTarget {
  scope: RevocationScope;
  issuer: string;
  value: string;
}

/**
 * Which time of a token a revocation compares: when it was issued (`iat`), or when its user
 * authenticated (`auth_time`, else `iat`), which also catches tokens refreshed after the event from
 * an authentication before it.
 */
export type RevocationBasis = 'iat' | 'auth_time';

/** Why tokens are refused: what the list answers a refused token with. */
export interface Revocation {
  /** The event's short name (`session-revoked` ...), or the application's (`subject-revoked` ...). */
  readonly cause: string;
  /** Epoch seconds: tokens issued (or authenticated) before are refused. */
  readonly notBefore: number;
  /** When the event was issued (a SET's `iat`, a revocation call's time), epoch seconds. */
  readonly issuedAt?: number;
  /** The user's assurance level now, as an `assurance-level-change` carried it. */
  readonly level?: string;
}

/** What a revocation records besides its target and time. */
export type RevocationDetails = Pick<Revocation, 'issuedAt' | 'level'>;

export interface RevocationListOptions {
  /**
   * The longest lifetime of a token this API accepts, in seconds: a revocation is kept this long
   * (plus the clock tolerance) after it is made, by then every token it can refuse has expired.
   */
  maxTokenLifetimeSeconds: number;
  clockToleranceSeconds: number;
  /**
   * Revocations kept at most. Once full, the oldest not-before entry goes first; disabled accounts
   * go only when no other entry is left.
   */
  maxEntries: number;
  now?: () => number;
}

interface Entry {
  readonly target: RevocationTarget;
  /** Tokens issued before its `notBefore` are refused. */
  issued: Revocation | undefined;
  /** Tokens whose user authenticated before its `notBefore` are refused. */
  authenticated: Revocation | undefined;
  /** While the account is disabled: every token refused, whatever its times. */
  disabledBy: Revocation | undefined;
  /** Epoch ms after which no token the entry can refuse is still valid (not for disabled ones). */
  until: number;
}

type Index = Map<string, Map<string, Entry>>;

/**
 * Not-before times per (issuer, subject), (issuer, session), (issuer, client) and (issuer, email),
 * and disabled accounts: what refuses a token before its `exp`. A token is refused when its `iat`
 * (or `auth_time`, by the revocation's basis) precedes the time, or when its account is disabled.
 * A time equal to the revocation's is not refused: a token issued in the very second of a logout
 * may be the fresh login's.
 *
 * `refusalOf` runs on every request: with an empty list it is one comparison and allocates
 * nothing; otherwise a few map lookups. Entries are kept in the order they were last written, and
 * every entry lives the same time from its writing, so that order is also their expiry order:
 * expired ones are dropped from the front on each write, at O(1) per entry.
 */
export class RevocationList {
  private readonly indexes: Record<RevocationScope, Index> = {
    subject: new Map(),
    session: new Map(),
    client: new Map(),
    email: new Map(),
  };
  // Insertion-ordered: the first is the oldest written, hence the first to expire.
  private readonly timed = new Set<Entry>();
  private readonly disabled = new Set<Entry>();
  private readonly refused = new WeakSet<Revocation>();
  private count = 0;
  private readonly listeners = new Set<() => void>();
  private readonly lifetimeMs: number;

  /**
   * Set while this copy of a shared list may have missed revocations (its store unreachable for
   * too long) and tokens it does not refuse are to be answered 503, after `retryAfterSeconds`.
   * Set and cleared by `SharedRevocations`; a list of one process is never stale.
   */
  stale: { retryAfterSeconds: number } | undefined;
  private readonly now: () => number;

  constructor(private readonly options: RevocationListOptions) {
    const { maxTokenLifetimeSeconds: lifetime, maxEntries } = options;
    if (!Number.isFinite(lifetime) || lifetime <= 0) {
      throw new OidcAuthConfigError('revocation.maxTokenLifetimeSeconds', 'must be a number > 0');
    }
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new OidcAuthConfigError('revocation.maxEntries', 'must be a positive integer');
    }
    this.lifetimeMs = (lifetime + options.clockToleranceSeconds) * 1000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Calls `listener` after each change that can refuse more tokens (a revocation, a disabling),
   * so that open connections are checked again. Returns the function that stops it.
   */
  onRevoked(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Revocations held now, disabled accounts included (expired ones until the next write). */
  get size(): number {
    return this.count;
  }

  /**
   * Refuses tokens of `target` issued (or authenticated, by `basis`) before `notBefore` (epoch
   * seconds). A later revocation of the same target moves its time forward, never back.
   */
  revoke(
    target: RevocationTarget,
    notBefore: number,
    basis: RevocationBasis,
    cause: string,
    details: RevocationDetails = {},
  ): void {
    const entry = this.writable(target);
    const revocation = { cause, notBefore, ...details };
    if (basis === 'iat') {
      if (notBefore > (entry.issued?.notBefore ?? Number.NEGATIVE_INFINITY)) {
        entry.issued = revocation;
      }
    } else if (notBefore > (entry.authenticated?.notBefore ?? Number.NEGATIVE_INFINITY)) {
      entry.authenticated = revocation;
    }
    this.settle(entry);
    this.revoked();
  }

  /**
   * Refuses every token of `target` until `enable`. Tokens issued before `at` stay refused after
   * that too: enabling an account does not bring back what was issued before it was disabled.
   */
  disable(
    target: RevocationTarget,
    at: number,
    cause: string,
    details: RevocationDetails = {},
  ): void {
    const entry = this.writable(target);
    const revocation = { cause, notBefore: at, ...details };
    entry.disabledBy = revocation;
    if (at > (entry.issued?.notBefore ?? Number.NEGATIVE_INFINITY)) entry.issued = revocation;
    this.settle(entry);
    this.revoked();
  }

  /** Ends `disable`; tokens issued before the account was disabled stay refused. */
  enable(target: RevocationTarget): void {
    const entry = this.find(target);
    if (!entry?.disabledBy) return;
    entry.disabledBy = undefined;
    this.settle(entry);
  }

  /** Whether `target` has a revocation (or a disabling) in the list. */
  holds(target: RevocationTarget): boolean {
    return this.find(target) !== undefined;
  }

  /** Forgets every revocation of `target`, disabling included; true when there was one. */
  restore(target: RevocationTarget): boolean {
    const entry = this.find(target);
    if (!entry) return false;
    this.remove(entry);
    return true;
  }

  /**
   * What refuses the token, or `undefined` when nothing does. A token without a numeric `iat`
   * whose subject has a revocation is refused: nothing shows it was issued after. The same object
   * for every token one revocation refuses, until it is written again.
   */
  refusalOf(
    issuer: string,
    subject: string,
    clientId: string | undefined,
    claims: Readonly<Record<string, unknown>>,
  ): Revocation | undefined {
    if (this.count === 0) return undefined;
    const { sid, email } = claims;
    return (
      this.check(this.indexes.subject, issuer, subject, claims) ??
      (typeof sid === 'string'
        ? this.check(this.indexes.session, issuer, sid, claims)
        : undefined) ??
      (clientId === undefined
        ? undefined
        : this.check(this.indexes.client, issuer, clientId, claims)) ??
      (typeof email === 'string' && this.indexes.email.size > 0
        ? this.check(this.indexes.email, issuer, normalizedEmail(email), claims)
        : undefined)
    );
  }

  private revoked(): void {
    for (const listener of this.listeners) listener();
  }

  private check(
    index: Index,
    issuer: string,
    value: string,
    claims: Readonly<Record<string, unknown>>,
  ): Revocation | undefined {
    const entry = index.get(issuer)?.get(value);
    if (!entry) return undefined;
    if (entry.disabledBy !== undefined) return entry.disabledBy;
    // The clock is read only for a token that has an entry: most have none.
    if (this.now() >= entry.until) return undefined;
    const { iat, auth_time: authTime } = claims;
    const { issued, authenticated } = entry;
    if (typeof iat !== 'number') return issued ?? authenticated;
    if (issued && iat < issued.notBefore) return issued;
    const authenticatedAt = typeof authTime === 'number' ? authTime : iat;
    if (authenticated && authenticatedAt < authenticated.notBefore) return authenticated;
    return undefined;
  }

  /**
   * True the first time it is asked about `revocation`, false after: the first token a revocation
   * refuses marks how long enforcement took (its lag). Weakly held, so it costs no memory of its own.
   */
  firstRefusal(revocation: Revocation): boolean {
    if (this.refused.has(revocation)) return false;
    this.refused.add(revocation);
    return true;
  }

  private find(target: RevocationTarget): Entry | undefined {
    const value = target.scope === 'email' ? normalizedEmail(target.value) : target.value;
    return this.indexes[target.scope].get(target.issuer)?.get(value);
  }

  // The target's entry, or a new one that refuses nothing yet.
  private writable(target: RevocationTarget): Entry {
    this.expire();
    const found = this.find(target);
    if (found) return found;
    const value = target.scope === 'email' ? normalizedEmail(target.value) : target.value;
    const entry: Entry = {
      target: { scope: target.scope, issuer: target.issuer, value },
      issued: undefined,
      authenticated: undefined,
      disabledBy: undefined,
      until: 0,
    };
    const index = this.indexes[target.scope];
    let byValue = index.get(target.issuer);
    if (!byValue) index.set(target.issuer, (byValue = new Map()));
    byValue.set(value, entry);
    this.count += 1;
    return entry;
  }

  // Puts a written entry at the end of its order, then keeps the list within its bound.
  private settle(entry: Entry): void {
    this.timed.delete(entry);
    this.disabled.delete(entry);
    if (entry.disabledBy !== undefined) {
      this.disabled.add(entry);
    } else {
      entry.until = this.now() + this.lifetimeMs;
      this.timed.add(entry);
    }
    while (this.count > this.options.maxEntries) {
      const oldest = first(this.timed) ?? first(this.disabled);
      if (!oldest || oldest === entry) break;
      this.remove(oldest);
    }
  }

  private expire(): void {
    const now = this.now();
    for (const entry of this.timed) {
      if (entry.until > now) break;
      this.remove(entry);
    }
  }

  private remove(entry: Entry): void {
    const { scope, issuer, value } = entry.target;
    const byValue = this.indexes[scope].get(issuer);
    if (byValue?.get(value) !== entry) return;
    byValue.delete(value);
    if (byValue.size === 0) this.indexes[scope].delete(issuer);
    this.timed.delete(entry);
    this.disabled.delete(entry);
    this.count -= 1;
  }
}

function first<T>(set: Set<T>): T | undefined {
  for (const item of set) return item;
  return undefined;
}

/**
 * Addresses compare without case: a revocation that misses `Bob@example.com` because the event
 * said `bob@example.com` would keep a token alive, while refusing one too many costs a login.
 */
function normalizedEmail(email: string): string {
  return email.toLowerCase();
}
