import type { OidcLogEntry, OidcLogSubscription, OidcSharedLog } from '../store/store.js';
import type { RevocationList, RevocationTarget } from './revocation-list.js';
import { applyChanges, type RevocationChange } from './security-events.js';

/** A change to the list: an event's, or the application's `restore`. */
export type SharedRevocationChange =
  RevocationChange | { action: 'restore'; target: RevocationTarget };

/** What the list does while its shared copy cannot be reached for too long. */
export type StaleRevocationsPolicy = 'refuse' | 'accept';

export interface SharedRevocationsOptions {
  list: RevocationList;
  /** The store's shared log; without one, the list is this process's alone. */
  log: OidcSharedLog | undefined;
  /** How long a change is kept in the log: the list's lifetime of an entry. */
  ttlMs: number;
  /** How many changes the log keeps at most: the list's bound. */
  maxLogEntries: number;
  /** How often the log is read again, whatever pub/sub said. */
  resyncIntervalMs: number;
  /** How long the list may go unconfirmed before it counts as stale. */
  maxStalenessMs: number;
  whenStale: StaleRevocationsPolicy;
  /**
   * Told when the loaded list turns stale (with why), and when it is current again after that or
   * after a `start` that did not load it.
   */
  onStale?: (stale: boolean, cause?: unknown) => void;
  now?: () => number;
}

const LOG = 'revocations';
// Entries read per round trip while catching up.
const PAGE = 1000;

/**
 * The revocation list of every replica, kept the same through the store's shared log: a change is
 * appended to the log, and each replica applies the log's entries in the log's order, as pub/sub
 * brings them. A message whose predecessor is not the last entry applied shows one was missed, and
 * the replica reads the log from there; so does a reconnection, and a resync every
 * `resyncIntervalMs` in case the last message of a burst was lost. A replica starts by reading the
 * whole log (`start`).
 *
 * The list is confirmed current by every successful read. Once unconfirmed for longer than
 * `maxStalenessMs`, it is stale: with `whenStale: 'refuse'` tokens it does not refuse are answered
 * 503 until it is read again; with `'accept'` they are accepted and `onStale` warns. What the list
 * holds is enforced either way.
 *
 * Entries older than `ttlMs` leave the log, and the oldest beyond `maxLogEntries`: a replica that
 * starts later than that after an `account-disabled` does not learn of it (the tokens it refused
 * have all expired by then), nor, after a flood, of the oldest changes (which a running replica's
 * bounded list drops too).
 */
export class SharedRevocations {
  private lastId: string | undefined;
  private confirmedAt = Number.NEGATIVE_INFINITY;
  private subscription: OidcLogSubscription | undefined;
  private connecting: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private catchingUp: Promise<void> | undefined;
  private again = false;
  private stale = false;
  // Whether the list was said to be stale (or not loaded): its return is then said too.
  private told = false;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly options: SharedRevocationsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The list of this process alone: changes are applied to it, and to nothing else. */
  static local(list: RevocationList): SharedRevocations {
    return new SharedRevocations({
      list,
      log: undefined,
      ttlMs: 0,
      maxLogEntries: 0,
      resyncIntervalMs: 0,
      maxStalenessMs: 0,
      whenStale: 'refuse',
    });
  }

  get list(): RevocationList {
    return this.options.list;
  }

  /**
   * Applies `changes` on every replica: appended to the log, then applied here in the log's order.
   * When the log cannot be appended to they are applied here all the same (refusing more is the
   * safe side) and the call rejects: the other replicas have not heard of them.
   */
  async apply(changes: readonly SharedRevocationChange[]): Promise<void> {
    const { log, list } = this.options;
    if (!log) {
      applyTo(list, changes);
      return;
    }
    try {
      await log.append(LOG, JSON.stringify(changes), {
        ttlMs: this.options.ttlMs,
        maxEntries: this.options.maxLogEntries,
      });
    } catch (err) {
      applyTo(list, changes);
      // The store's own error (ioredis: "Reached the max retries ...") does not say what it means
      // for the revocation; this does, and keeps it as the cause.
      throw new Error(
        `Revoked on this replica only: the shared store could not take the change (${err instanceof Error ? err.message : String(err)})`,
        { cause: err },
      );
    }
    // Shared now; should the read that applies it here fail, it is applied here at once all the
    // same, and again in its place in the log at the next read.
    await this.catchUp().catch(() => applyTo(list, changes));
  }

  /**
   * Subscribes, reads the whole log and starts the resync timer. Resolves `true` once the list is
   * loaded, `false` when that failed or took longer than `timeoutMs`: the list then stays stale
   * (503 under `whenStale: 'refuse'`) until a resync loads it.
   */
  async start(timeoutMs: number): Promise<boolean> {
    if (!this.options.log) return true;
    this.setStale(true);
    this.timer = setInterval(() => this.resync(), this.options.resyncIntervalMs);
    this.timer.unref();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const connected = this.connect();
    let loaded: boolean;
    try {
      loaded = await Promise.race([connected.then(() => true), timedOut]);
    } catch {
      loaded = false;
    } finally {
      clearTimeout(timer);
      connected.catch(() => undefined);
    }
    // The caller says so; the list says when it is loaded after all.
    if (!loaded && this.stale) this.told = true;
    return loaded;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.connecting?.catch(() => undefined);
    await this.subscription?.close();
  }

  // Subscribed first, read next: what is appended in between is heard, or read.
  private connect(): Promise<void> {
    this.connecting ??= (async () => {
      const subscription = await this.options.log!.subscribe(LOG, {
        appended: (entry, previousId) => this.heard(entry, previousId),
        ready: () => void this.catchUp().catch(() => undefined),
      });
      if (this.stopped) {
        await subscription.close();
        return;
      }
      this.subscription = subscription;
      await this.catchUp();
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private heard(entry: OidcLogEntry, previousId: string | undefined): void {
    if (entry.id === this.lastId) return;
    if (previousId === this.lastId && !this.catchingUp) {
      this.applyEntry(entry);
      return;
    }
    // A gap, or this replica's own append already read: the log says which.
    void this.catchUp().catch(() => undefined);
  }

  private resync(): void {
    if (this.stopped) return;
    const attempt = this.subscription ? this.catchUp() : this.connect();
    void attempt
      .catch((err: unknown) => err)
      .then((err) => {
        const unconfirmed = this.now() - this.confirmedAt;
        // Not stale yet means loaded once: before, the list is stale from the start.
        if (unconfirmed > this.options.maxStalenessMs && !this.stale) {
          this.setStale(true);
          this.told = true;
          this.options.onStale?.(true, err ?? new Error(`not read for ${unconfirmed} ms`));
        }
      });
  }

  /**
   * Reads the log after the last entry applied, to its end; one read at a time, and one more
   * when asked while reading, since what it was asked for may have come after the read began.
   */
  private catchUp(): Promise<void> {
    if (this.catchingUp) {
      this.again = true;
      return this.catchingUp;
    }
    const run = async (): Promise<void> => {
      do {
        this.again = false;
        const started = this.now();
        let page: OidcLogEntry[];
        do {
          page = await this.options.log!.read(LOG, this.lastId, PAGE);
          for (const entry of page) this.applyEntry(entry);
        } while (page.length === PAGE);
        this.confirmed(started);
      } while (this.again && !this.stopped);
    };
    this.catchingUp = run().finally(() => {
      this.catchingUp = undefined;
    });
    return this.catchingUp;
  }

  private applyEntry(entry: OidcLogEntry): void {
    this.lastId = entry.id;
    let changes: unknown;
    try {
      changes = JSON.parse(entry.value);
    } catch {
      // Not written by this module: nothing in it can be applied.
      return;
    }
    if (Array.isArray(changes)) applyTo(this.options.list, changes as SharedRevocationChange[]);
  }

  private confirmed(at: number): void {
    this.confirmedAt = Math.max(this.confirmedAt, at);
    if (!this.stale) return;
    this.setStale(false);
    if (!this.told) return;
    this.told = false;
    this.options.onStale?.(false);
  }

  private setStale(stale: boolean): void {
    this.stale = stale;
    this.options.list.stale =
      stale && this.options.whenStale === 'refuse'
        ? { retryAfterSeconds: Math.max(1, Math.ceil(this.options.resyncIntervalMs / 1000)) }
        : undefined;
  }
}

function applyTo(list: RevocationList, changes: readonly SharedRevocationChange[]): void {
  for (const change of changes) {
    if (change.action === 'restore') list.restore(change.target);
    else applyChanges(list, [change]);
  }
}
