import type { RefusalReason } from '../../protocol/errors/errors.js';

interface ReasonWindow {
  /** When the last line for this reason was written (epoch ms). */
  loggedAt: number;
  /** Refusals of this reason since then that wrote no line. */
  unlogged: number;
}

/**
 * Keeps a flood of refusals from flooding the log: at most one line per reason per interval. The
 * first refusal of a reason is logged at once; further ones within the interval are counted and
 * the count goes into the next line for that reason. No timer: a count is reported when that
 * reason next comes up, so a burst that stops for good leaves its count unreported. Memory is
 * bounded by the finite set of keys: reasons, or the issuers the module was configured with (never
 * keyed by anything a token says).
 */
export class RefusalLogLimiter<Key extends string = RefusalReason> {
  private readonly windows = new Map<Key, ReasonWindow>();

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Whether to log a refusal of `reason` now: `undefined` to stay quiet, otherwise the text to
   * append to the line (empty unless earlier refusals went unlogged).
   */
  admit(reason: Key): string | undefined {
    if (this.intervalMs === 0) return '';
    const now = this.now();
    const window = this.windows.get(reason);
    // A clock set back must not silence a reason until it catches up again.
    if (window && now >= window.loggedAt && now - window.loggedAt < this.intervalMs) {
      window.unlogged++;
      return undefined;
    }
    this.windows.set(reason, { loggedAt: now, unlogged: 0 });
    if (!window?.unlogged) return '';
    const since = new Date(window.loggedAt).toISOString().slice(11, 19);
    return ` (and ${window.unlogged} more since ${since} UTC)`;
  }
}
