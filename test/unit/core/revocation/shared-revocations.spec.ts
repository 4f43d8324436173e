import { RevocationList } from '../../../../lib/core/revocation/revocation-list.js';
import {
  type SharedRevocationChange,
  SharedRevocations,
} from '../../../../lib/core/revocation/shared-revocations.js';
import type {
  OidcLogEntry,
  OidcLogListener,
  OidcSharedLog,
} from '../../../../lib/core/store/store.js';

const ISS = 'https://idp.example';

/**
 * A shared log in this process, as the Redis one behaves: appends numbered in order, each heard
 * by every subscriber with the id before it; `deaf` drops the messages (pub/sub lost), `down`
 * makes every call fail (the store unreachable).
 */
class ProcessLog implements OidcSharedLog {
  readonly entries: OidcLogEntry[] = [];
  private readonly listeners = new Set<OidcLogListener>();
  deaf = false;
  down = false;

  append(_name: string, value: string): Promise<string> {
    if (this.down) return Promise.reject(new Error('store down'));
    const previous = this.entries.at(-1)?.id;
    const entry = { id: String(this.entries.length + 1).padStart(6, '0'), value };
    this.entries.push(entry);
    if (!this.deaf) this.listeners.forEach((l) => l.appended(entry, previous));
    return Promise.resolve(entry.id);
  }

  read(_name: string, afterId: string | undefined, limit: number): Promise<OidcLogEntry[]> {
    if (this.down) return Promise.reject(new Error('store down'));
    const from = afterId === undefined ? 0 : this.entries.findIndex((e) => e.id === afterId) + 1;
    return Promise.resolve(this.entries.slice(from, from + limit));
  }

  subscribe(_name: string, listener: OidcLogListener) {
    if (this.down) return Promise.reject(new Error('store down'));
    this.listeners.add(listener);
    return Promise.resolve({
      close: () => {
        this.listeners.delete(listener);
        return Promise.resolve();
      },
    });
  }
}

function replica(log: ProcessLog, whenStale: 'refuse' | 'accept' = 'refuse') {
  const list = new RevocationList({
    maxTokenLifetimeSeconds: 3600,
    clockToleranceSeconds: 0,
    maxEntries: 1000,
  });
  const staleness: boolean[] = [];
  const shared = new SharedRevocations({
    list,
    log,
    ttlMs: 3_600_000,
    maxLogEntries: 1000,
    resyncIntervalMs: 20,
    maxStalenessMs: 60,
    whenStale,
    onStale: (stale) => staleness.push(stale),
  });
  return { list, shared, staleness };
}

const revoke = (value: string, notBefore = 100): SharedRevocationChange => ({
  action: 'revoke',
  target: { scope: 'subject', issuer: ISS, value },
  notBefore,
  basis: 'iat',
  cause: 'subject-revoked',
});
const restore = (value: string): SharedRevocationChange => ({
  action: 'restore',
  target: { scope: 'subject', issuer: ISS, value },
});
const refused = (list: RevocationList, sub: string) =>
  list.refusalOf(ISS, sub, undefined, { iat: 50 }) !== undefined;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits until `check` holds, asking every 10 ms for 2 s at most: a busy machine delays timers. */
async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i += 1) await sleep(10);
}

describe('SharedRevocations', () => {
  const running: SharedRevocations[] = [];
  const started = async (log: ProcessLog, whenStale?: 'refuse' | 'accept') => {
    const r = replica(log, whenStale);
    running.push(r.shared);
    expect(await r.shared.start(1000)).toBe(true);
    return r;
  };
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
  });

  it('applies every change on every replica, in the order of the log', async () => {
    const log = new ProcessLog();
    const a = await started(log);
    const b = await started(log);
    await a.shared.apply([revoke('bob')]);
    await b.shared.apply([restore('bob')]);
    await a.shared.apply([revoke('carol')]);
    for (const { list } of [a, b]) {
      expect(refused(list, 'bob')).toBe(false);
      expect(refused(list, 'carol')).toBe(true);
    }
  });

  it('loads what was appended before it started, before start resolves', async () => {
    const log = new ProcessLog();
    const a = await started(log);
    await a.shared.apply([revoke('bob'), revoke('dave')]);
    await a.shared.apply([restore('dave')]);
    const late = await started(log);
    expect(refused(late.list, 'bob')).toBe(true);
    expect(refused(late.list, 'dave')).toBe(false);
  });

  it('reads what a lost message carried, at the next message or the next resync', async () => {
    const log = new ProcessLog();
    const a = await started(log);
    const b = await started(log);
    log.deaf = true;
    await a.shared.apply([revoke('bob')]);
    log.deaf = false;
    expect(refused(b.list, 'bob')).toBe(false);
    // The next message names a predecessor b never applied: b reads the gap.
    await a.shared.apply([revoke('carol')]);
    await sleep(0);
    expect(refused(b.list, 'bob')).toBe(true);
    log.deaf = true;
    await a.shared.apply([revoke('erin')]);
    await eventually(() => refused(b.list, 'erin'));
    expect(refused(b.list, 'erin')).toBe(true);
  });

  it('turns stale once unread past the bound, refusing with 503 what it holds no revocation for, and current again after a read', async () => {
    const log = new ProcessLog();
    const a = await started(log);
    const b = await started(log, 'accept');
    await a.shared.apply([revoke('bob')]);
    expect(a.list.stale).toBeUndefined();
    log.down = true;
    await eventually(() => a.list.stale !== undefined && b.staleness.length > 0);
    expect(a.list.stale).toEqual({ retryAfterSeconds: 1 });
    expect(a.staleness).toEqual([true]);
    // Accepting: nothing refused for staleness, but told.
    expect(b.list.stale).toBeUndefined();
    expect(b.staleness).toEqual([true]);
    // The store unreachable, a change holds here and says it was not shared.
    await expect(a.shared.apply([revoke('carol')])).rejects.toThrow(
      'Revoked on this replica only: the shared store could not take the change (store down)',
    );
    expect(refused(a.list, 'carol')).toBe(true);
    expect(refused(a.list, 'bob')).toBe(true);
    log.down = false;
    await eventually(() => a.staleness.length === 2);
    expect(a.list.stale).toBeUndefined();
    expect(a.staleness).toEqual([true, false]);
  });

  it('starts stale when the log cannot be loaded in time, and loads it at a later resync', async () => {
    const log = new ProcessLog();
    await log.append('revocations', JSON.stringify([revoke('bob')]));
    log.down = true;
    const r = replica(log);
    running.push(r.shared);
    expect(await r.shared.start(30)).toBe(false);
    expect(r.list.stale).toEqual({ retryAfterSeconds: 1 });
    await sleep(80);
    // The caller of start reports that it did not load; staleness is not said again.
    expect(r.staleness).toEqual([]);
    log.down = false;
    await eventually(() => r.list.stale === undefined);
    expect(r.list.stale).toBeUndefined();
    expect(refused(r.list, 'bob')).toBe(true);
    expect(r.staleness).toEqual([false]);
  });

  it('skips a log entry it cannot read, and applies the rest', async () => {
    const log = new ProcessLog();
    await log.append('revocations', '{not json');
    await log.append('revocations', JSON.stringify([revoke('bob')]));
    const { list } = await started(log);
    expect(refused(list, 'bob')).toBe(true);
  });

  it('applies to its own list alone without a log', async () => {
    const list = new RevocationList({
      maxTokenLifetimeSeconds: 60,
      clockToleranceSeconds: 0,
      maxEntries: 10,
    });
    const local = SharedRevocations.local(list);
    expect(await local.start(10)).toBe(true);
    await local.apply([revoke('bob')]);
    expect(refused(list, 'bob')).toBe(true);
  });
});
