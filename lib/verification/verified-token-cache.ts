import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { VerificationKey } from './key-set.js';
import type { OidcPrincipal } from './principal.js';

export interface VerifiedTokenCacheOptions {
  /** Most tokens remembered; the least recently used go first. */
  maxEntries: number;
  /** Leeway the verifier grants on `exp`; an entry never outlives `exp` plus this. */
  clockToleranceSeconds: number;
  now?: () => number;
}

interface Entry {
  principal: OidcPrincipal;
  issuer: string;
  kid: string | undefined;
  /** Epoch ms after which the token is expired even with the leeway. */
  expiresAt: number;
}

/**
 * Remembers tokens whose signature and claims were verified, so a client repeating its token
 * skips the signature check. Keyed by a SHA-256 of the whole token (a changed byte anywhere is a
 * miss); bounded; an entry dies with its token's `exp` and when its key leaves the issuer's key set.
 * Route policy is not cached: scopes and roles are checked on every request.
 */
export class VerifiedTokenCache {
  private readonly entries: LRUCache<string, Entry>;
  private readonly now: () => number;

  constructor(private readonly options: VerifiedTokenCacheOptions) {
    this.entries = new LRUCache({ max: options.maxEntries });
    this.now = options.now ?? Date.now;
  }

  private static keyOf(token: string): string {
    return hash('sha256', token, 'base64url');
  }

  get(token: string): OidcPrincipal | undefined {
    const key = VerifiedTokenCache.keyOf(token);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() >= entry.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.principal;
  }

  set(token: string, principal: OidcPrincipal, issuer: string, kid: string | undefined): void {
    const expiresAt = principal.expiresAt.getTime() + this.options.clockToleranceSeconds * 1000;
    if (this.now() >= expiresAt) return;
    this.entries.set(VerifiedTokenCache.keyOf(token), { principal, issuer, kid, expiresAt });
  }

  /** Drops the tokens of `issuer` signed by keys it no longer publishes. */
  retainKeys(issuer: string, keys: readonly VerificationKey[]): void {
    const live = new Set(keys.map((k) => k.kid));
    for (const [key, entry] of this.entries.entries()) {
      if (entry.issuer === issuer && !live.has(entry.kid)) this.entries.delete(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
