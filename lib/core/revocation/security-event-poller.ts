import { SecurityEventError } from '../../protocol/errors/errors.js';
import { pollBodyOf, pollResponseOf, type SetError } from '../../protocol/ssf/poll.js';
import { ssfRequest } from '../../protocol/ssf/ssf-request.js';
import type { SecurityEventReceipt, SecurityEventReceiver } from './security-event-receiver.js';
import type { SecurityEventTransmitter } from './security-event-token.js';

export interface SecurityEventPollerOptions {
  receiver: SecurityEventReceiver;
  /** The transmitter whose stream this is: a polled SET of any other issuer is `access_denied`. */
  transmitter: SecurityEventTransmitter;
  /** The stream's poll endpoint (RFC 8936). */
  endpoint: string;
  /** The `Authorization` header value for each request (a fresh token when the old one expires). */
  authorization: () => Promise<string>;
  /** The endpoint answered 401 to this `Authorization` value: a cached token should go. */
  authorizationRefused?: (authorization: string) => void;
  /** SETs asked for at most per request. */
  maxEvents: number;
  /**
   * Long poll: the transmitter may hold a request this many seconds while it has nothing to send
   * (`returnImmediately: false`). 0: it answers at once, and the poller waits `intervalMs` after
   * an empty answer.
   */
  waitSeconds: number;
  intervalMs: number;
  /** Bound on one request, on top of `waitSeconds`. */
  timeoutMs: number;
  maxBytes: number;
  /** Wait after the first failure, doubled on each further one up to `maxBackoffMs`. */
  minBackoffMs: number;
  maxBackoffMs: number;
  onReceipt?: (receipt: SecurityEventReceipt) => void;
  onRefused?: (jti: string, error: SecurityEventError) => void;
  /** SETs could not be checked now (keys or store unreachable): left for redelivery. */
  onUnavailable?: (error: unknown) => void;
  onFailure?: (error: unknown, retryInMs: number) => void;
}

/** A poll request answered with anything but 200, or a poll answer that is not one. */
export class PollFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PollFailedError';
  }
}

/**
 * Poll delivery (RFC 8936) of one stream: asks the transmitter for SETs, hands each to the
 * receiver, and acknowledges it in the next request, or reports it in `setErrs` with its RFC 8935
 * code when it is refused. A SET that could not be checked (its keys or the store unreachable) is
 * neither: the transmitter delivers it again, and the poller backs off. Acknowledgements not sent
 * because a request failed go with the next one; they are idempotent, and SETs are deduplicated by
 * `jti` in the store, so several replicas can poll the same stream.
 */
export class SecurityEventPoller {
  private acks = new Set<string>();
  private errs: Record<string, SetError> = {};
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  private failures = 0;

  constructor(private readonly options: SecurityEventPollerOptions) {}

  start(): void {
    if (this.loop) return;
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Ends the loop, an outstanding long poll included, then sends what is left to acknowledge in
   * one last request that asks for nothing (`maxEvents: 0`), bounded by `timeoutMs`.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    await this.loop;
    if (this.acks.size === 0 && Object.keys(this.errs).length === 0) return;
    await this.request(0, true).catch(() => undefined);
  }

  /**
   * One request and the SETs it brought processed. Resolves whether more are waiting; rejects
   * when the request failed or a SET could not be checked.
   */
  async pollOnce(): Promise<{ received: number; moreAvailable: boolean }> {
    const { maxEvents, waitSeconds } = this.options;
    const answer = await this.request(maxEvents, waitSeconds === 0);
    // A SET that could not be checked (keys or store unreachable) is left for redelivery.
    let unprocessed: { cause: unknown } | undefined;
    for (const { jti, set } of answer.sets) {
      if (set === undefined) {
        this.refuse(jti, new SecurityEventError('invalid_request', 'The SET is not a string'));
        continue;
      }
      try {
        const receipt = await this.options.receiver.receive(set, this.options.transmitter);
        this.options.onReceipt?.(receipt);
        this.acks.add(jti);
      } catch (err) {
        if (err instanceof SecurityEventError) this.refuse(jti, err);
        else unprocessed ??= { cause: err };
      }
    }
    if (unprocessed) {
      this.options.onUnavailable?.(unprocessed.cause);
      throw new PollFailedError('A polled SET could not be checked now: it is left for redelivery');
    }
    return { received: answer.sets.length, moreAvailable: answer.moreAvailable };
  }

  private refuse(jti: string, error: SecurityEventError): void {
    this.errs[jti] = { err: error.code, description: error.message };
    this.options.onRefused?.(jti, error);
  }

  private async request(maxEvents: number, returnImmediately: boolean) {
    const ack = [...this.acks];
    const setErrs = { ...this.errs };
    const { endpoint, timeoutMs, maxBytes, waitSeconds } = this.options;
    const authorization = await this.options.authorization();
    const response = await ssfRequest(endpoint, {
      method: 'POST',
      authorization,
      body: pollBodyOf({ ack, setErrs, maxEvents, returnImmediately }),
      timeoutMs: timeoutMs + (returnImmediately ? 0 : waitSeconds * 1000),
      maxBytes,
      signal: maxEvents === 0 ? undefined : this.stopping.signal,
    });
    if (response.status === 401) this.options.authorizationRefused?.(authorization);
    if (response.status !== 200) {
      throw new PollFailedError(`The poll endpoint answered HTTP ${response.status}`);
    }
    let answer;
    try {
      answer = pollResponseOf(response.json);
    } catch (err) {
      throw new PollFailedError(err instanceof Error ? err.message : String(err));
    }
    // Delivered: what this request acknowledged or refused is off the transmitter's list.
    for (const jti of ack) this.acks.delete(jti);
    for (const jti of Object.keys(setErrs)) {
      if (this.errs[jti] === setErrs[jti]) delete this.errs[jti];
    }
    return answer;
  }

  private async run(): Promise<void> {
    const { waitSeconds, intervalMs, minBackoffMs, maxBackoffMs } = this.options;
    while (this.running) {
      try {
        const { moreAvailable } = await this.pollOnce();
        this.failures = 0;
        if (!moreAvailable && waitSeconds === 0) await this.pause(intervalMs);
      } catch (err) {
        if (!this.running) break;
        this.failures += 1;
        const ceiling = Math.min(maxBackoffMs, minBackoffMs * 2 ** (this.failures - 1));
        // Jittered, so that replicas that failed together do not retry together.
        const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
        this.options.onFailure?.(err, delay);
        await this.pause(delay);
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopping.signal.aborted) return resolve();
      const signal = this.stopping.signal;
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
    });
  }
}
