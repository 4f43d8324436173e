import { hash, type KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { VerificationKey } from '../keys/key-set.js';
import type { OidcPrincipal } from '../claims/principal.js';

export interface VerifiedTokenCacheOptions {
  /** Most tokens remembered; the least recently used go first. */
  maxEntries: number;
  /** Leeway the verifier grants on `exp`; an entry never outlives `exp` plus this. */
  clockToleranceSeconds: number;
  now?: () => number;
}

interface Entry {
  /** SHA-256 of the whole token: what a lookup by `hintOf` must match. */
  digest: string;
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
// Characters of a token's signature that key its entry. Under V8's 13 characters for a slice, so
// that a key is a copy, not a view that keeps the whole token alive.
const HINT_LENGTH = 12;

/**
 * Where to look a token up: 12 characters of its signature (72 bits, unpredictable without the
 * issuer's key; the very last one is skipped, its spare bits are always zero). A lookup that finds
 * an entry compares the whole token's SHA-256 before serving it, so a token that merely ends like a
 * cached one is a miss; a token met for the first time (the cold path) costs no hash.
 */
function hintOf(token: string): string {
  return token.length <= HINT_LENGTH + 1 ? token : token.slice(-HINT_LENGTH - 1, -1);
}

/** Two 32-bit FNV-1a hashes of a hint (offset bases apart), for the doorkeeper's bits. */
function hintHashes(hint: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < hint.length; i += 1) {
    const c = hint.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return [a >>> 0, (b >>> 0) | 1];
}

/**
 * Remembers tokens whose signature and claims were verified, so a client repeating its token
 * skips the signature check. An entry is found by a part of the token's signature (`hintOf`) and
 * served only to the very same token (its SHA-256: a changed byte anywhere is a miss); bounded; an
 * entry dies with its token's `exp` and when its key leaves the issuer's key set.
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

  /** Marks the hint as seen; true when it had (probably) been seen already. */
  private seenBefore(hint: string): boolean {
    const [h1, h2] = hintHashes(hint);
    let seen = true;
    for (let n = 0; n < DOORKEEPER_HASHES; n += 1) {
      if (!this.mark((h1 + n * h2) & (DOORKEEPER_BITS - 1))) seen = false;
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
    const hint = hintOf(token);
    const entry = this.entries.get(hint);
    if (!entry || entry.digest !== this.digestOf(token)) return undefined;
    if (this.now() >= entry.expiresAt) {
      this.entries.delete(hint);
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
    const hint = hintOf(token);
    if (!this.seenBefore(hint)) return;
    if (
      this.entries.size >= this.options.maxEntries &&
      this.admissionsWhenFull++ % FULL_ADMISSION_SAMPLE !== 0
    ) {
      return;
    }
    const digest = this.digestOf(token);
    this.entries.set(hint, { digest, principal, issuer, kid, key, expiresAt });
  }

  /**
   * Drops the tokens of `issuer` whose key it no longer publishes: the same key material, under the
   * token's `kid` when it named one. Comparing kids alone would keep the tokens of a kid-less key
   * after the issuer rotated to another kid-less key.
   */
  retainKeys(issuer: string, keys: readonly VerificationKey[]): void {
    // Entries share a handful of KeyObjects: compare each one's material with the set once.
    const published = new Map<KeyObject, readonly VerificationKey[]>();
    for (const [hint, entry] of this.entries.entries()) {
      if (entry.issuer !== issuer) continue;
      let same = published.get(entry.key);
      if (!same) {
        same = keys.filter((k) => k.key === entry.key || k.key.equals(entry.key));
        published.set(entry.key, same);
      }
      if (!same.some((k) => entry.kid === undefined || k.kid === entry.kid)) {
        this.entries.delete(hint);
      }
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
