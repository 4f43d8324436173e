import { hash, type KeyObject } from 'node:crypto';
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
  /** The key the signature was verified with: kid-less keys have only this to tell them apart. */
  key: KeyObject;
  /**
   * Epoch ms after which the entry is not served: the token's `exp` with the leeway, or earlier
   * when the issuer resolver's approval of its issuer ends first.
   */
  expiresAt: number;
}

// The doorkeeper: a Bloom filter of 2^22 bits (512 KiB), four bits per token, cleared after this
// many tokens: at most 9% of its bits are then set, so fewer than 1 in 10,000 first sightings look
// like second ones. With two bits in 2^20, about 3% did, enough to keep a one-off token stream
// churning the cache (and the process 50 MB larger over a million requests).
const DOORKEEPER_BITS = 1 << 22;
const DOORKEEPER_HASHES = 4;
const DOORKEEPER_RESET = 100_000;
// Once the cache is full, one in this many second sightings replaces its least recently used
// entry. Without it, a cycling set of more tokens than the cache holds (many clients, each
// repeating its token less often than the cache turns over) is admitted and evicted on every
// request and never served: an insertion, an eviction and an old-generation object for the garbage
// collector each time, about a fifth of a cold verification. With it, entries stay long enough to
// be hit, and a client that keeps repeating a token still gets in after a few more verifications.
const FULL_ADMISSION_SAMPLE = 16;

// The 6-bit value of each base64url character, by character code.
const SEXTET = new Uint8Array(128);
for (const [i, c] of [
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
].entries()) {
  SEXTET[c.charCodeAt(0)] = i;
}

/** Bit `n` of the doorkeeper for a digest: 22 of its bits, from four base64url characters. */
function doorkeeperBit(digest: string, n: number): number {
  let bits = 0;
  for (let i = n * 4; i < n * 4 + 4; i += 1) bits = (bits << 6) | SEXTET[digest.charCodeAt(i)];
  return bits & (DOORKEEPER_BITS - 1);
}

/**
 * Remembers tokens whose signature and claims were verified, so a client repeating its token
 * skips the signature check. Keyed by a SHA-256 of the whole token (a changed byte anywhere is a
 * miss); bounded; an entry dies with its token's `exp` and when its key leaves the issuer's key set.
 * Route policy is not cached: scopes and roles are checked on every request.
 *
 * A token is admitted on its second verification only (a TinyLFU-style doorkeeper): a stream of
 * one-off tokens then costs a bit each instead of churning the cache, which would keep the garbage
 * collector busy and the heap large for no hits. Once the cache is full, admissions are sampled
 * (`FULL_ADMISSION_SAMPLE`) for the same reason.
 */
export class VerifiedTokenCache {
  private readonly entries: LRUCache<string, Entry>;
  private readonly now: () => number;
  private readonly seen = new Uint32Array(DOORKEEPER_BITS / 32);
  private marks = 0;
  private admissionsWhenFull = 0;
  // get() and set() of one request see the same token; hash it once.
  private lastToken: string | undefined;
  private lastDigest = '';

  constructor(private readonly options: VerifiedTokenCacheOptions) {
    this.entries = new LRUCache({ max: options.maxEntries });
    this.now = options.now ?? Date.now;
  }

  // A string rather than a Buffer: no native allocation per request.
  private digestOf(token: string): string {
    if (token !== this.lastToken) {
      this.lastDigest = hash('sha256', token, 'base64url');
      this.lastToken = token;
    }
    return this.lastDigest;
  }

  /** Sets one bit of the doorkeeper; true when it was set already. */
  private mark(bit: number): boolean {
    const word = bit >>> 5;
    const mask = 1 << (bit & 31);
    const wasSet = (this.seen[word] & mask) !== 0;
    this.seen[word] |= mask;
    return wasSet;
  }

  /** Marks the digest as seen; true when it had (probably) been seen already. */
  private seenBefore(digest: string): boolean {
    let seen = true;
    for (let n = 0; n < DOORKEEPER_HASHES; n += 1) {
      if (!this.mark(doorkeeperBit(digest, n))) seen = false;
    }
    if (seen) return true;
    this.marks += 1;
    if (this.marks >= DOORKEEPER_RESET) {
      this.seen.fill(0);
      this.marks = 0;
    }
    return false;
  }

  get(token: string): OidcPrincipal | undefined {
    const key = this.digestOf(token);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() >= entry.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.principal;
  }

  set(
    token: string,
    principal: OidcPrincipal,
    issuer: string,
    kid: string | undefined,
    key: KeyObject,
    trustedUntil = Number.POSITIVE_INFINITY,
  ): void {
    const expiresAt = Math.min(
      principal.expiresAt.getTime() + this.options.clockToleranceSeconds * 1000,
      trustedUntil,
    );
    if (this.now() >= expiresAt) return;
    const digest = this.digestOf(token);
    if (!this.seenBefore(digest)) return;
    if (
      this.entries.size >= this.options.maxEntries &&
      this.admissionsWhenFull++ % FULL_ADMISSION_SAMPLE !== 0
    ) {
      return;
    }
    this.entries.set(digest, { principal, issuer, kid, key, expiresAt });
  }

  /**
   * Drops the tokens of `issuer` whose key it no longer publishes: the same key material, under the
   * token's `kid` when it named one. Comparing kids alone would keep the tokens of a kid-less key
   * after the issuer rotated to another kid-less key.
   */
  retainKeys(issuer: string, keys: readonly VerificationKey[]): void {
    // Entries share a handful of KeyObjects: compare each one's material with the set once.
    const published = new Map<KeyObject, readonly VerificationKey[]>();
    for (const [digest, entry] of this.entries.entries()) {
      if (entry.issuer !== issuer) continue;
      let same = published.get(entry.key);
      if (!same) {
        same = keys.filter((k) => k.key === entry.key || k.key.equals(entry.key));
        published.set(entry.key, same);
      }
      if (!same.some((k) => entry.kid === undefined || k.kid === entry.kid)) {
        this.entries.delete(digest);
      }
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
