import { hash } from 'node:crypto';
import type { JwtClaims } from '../claims/claims.js';
import type { OidcStore } from '../store/store.js';

/** What is remembered of a token: the issuer whose endpoint vouched for it and what it said. */
export type IntrospectionEntry = { issuer: string; claims: JwtClaims } | { issuer: null };

/** Why the store could not be used; the request goes on without it. */
export interface StoreProblem {
  operation: 'get' | 'set';
  error: unknown;
}

const PREFIX = 'introspection:';

/** A stored entry read back; `undefined` for text no replica of ours wrote. */
export function parseEntry(raw: string): IntrospectionEntry | undefined {
  try {
    const entry = JSON.parse(raw) as IntrospectionEntry;
    if (entry?.issuer === null) return entry;
    return typeof entry?.issuer === 'string' && typeof entry.claims === 'object' && entry.claims
      ? entry
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Introspection results in the module's `OidcStore`, under `introspection:` and a SHA-256 of the
 * token (never the token itself: a store dump must not hand out working tokens), so that replicas
 * sharing a Redis store introspect each token once. A store that fails is reported and bypassed:
 * the token is introspected without the cache, which costs a request to the endpoint, not a 503.
 *
 * Reads answer synchronously when the store does (`MemoryStore`): the guard then needs no promise.
 */
export class IntrospectionCache {
  // The lookup and the write of one request see the same token; hash it once.
  private lastToken: string | undefined;
  private lastKey = '';

  constructor(
    private readonly store: OidcStore,
    private readonly onProblem: (problem: StoreProblem) => void,
  ) {}

  keyOf(token: string): string {
    if (token !== this.lastToken) {
      this.lastKey = PREFIX + hash('sha256', token, 'base64url');
      this.lastToken = token;
    }
    return this.lastKey;
  }

  /** The stored text, parsed by the caller (`parseEntry`) only when it has not met it before. */
  get(key: string): string | undefined | Promise<string | undefined> {
    let raw: string | undefined | Promise<string | undefined>;
    try {
      raw = this.store.get(key);
    } catch (error) {
      this.onProblem({ operation: 'get', error });
      return undefined;
    }
    if (!(raw instanceof Promise)) return raw;
    return raw.then(
      (value) => value,
      (error: unknown) => {
        this.onProblem({ operation: 'get', error });
        return undefined;
      },
    );
  }

  /** Stores the entry for `ttlMs`; a failure is reported, never thrown. */
  set(key: string, entry: IntrospectionEntry, ttlMs: number): void {
    if (!(ttlMs > 0)) return;
    try {
      const done = this.store.set(key, JSON.stringify(entry), ttlMs);
      if (done instanceof Promise) {
        done.catch((error: unknown) => this.onProblem({ operation: 'set', error }));
      }
    } catch (error) {
      this.onProblem({ operation: 'set', error });
    }
  }
}
