import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeysUnavailableError } from '../../../../lib/protocol/errors/errors.js';
import { KeySet } from '../../../../lib/core/keys/key-set.js';
import { MemoryStore } from '../../../../lib/core/store/memory-store.js';
import type { OidcStore } from '../../../../lib/core/store/store.js';
import { RevocationList } from '../../../../lib/core/revocation/revocation-list.js';
import { SharedRevocations } from '../../../../lib/core/revocation/shared-revocations.js';
import { SecurityEventReceiver } from '../../../../lib/core/revocation/security-event-receiver.js';
import {
  PollFailedError,
  SecurityEventPoller,
  type SecurityEventPollerOptions,
} from '../../../../lib/core/revocation/security-event-poller.js';
import {
  type SecurityEventTransmitter,
  SecurityEventTokenVerifier,
} from '../../../../lib/core/revocation/security-event-token.js';
import {
  signSet,
  TOKEN_ISSUER,
  TRANSMITTER,
  transmitterKeys,
  unitTransmitter,
} from '../../../support/security-events.js';

const NOW = Math.floor(Date.now() / 1000);

interface Seen {
  authorization?: string;
  body: Record<string, unknown>;
}

/** A poll endpoint on 127.0.0.1 answering each request with the next queued answer. */
class PollEndpoint {
  readonly seen: Seen[] = [];
  readonly answers: Array<(res: ServerResponse) => void> = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.seen.push({
          authorization: req.headers.authorization,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
        });
        const answer = this.answers.shift() ?? sets({});
        answer(res);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/poll`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const sets =
  (entries: Record<string, unknown>, moreAvailable = false) =>
  (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ sets: entries, moreAvailable }));
  };

const status = (code: number) => (res: ServerResponse) => res.writeHead(code).end();

/** Never answers: a long poll the transmitter holds. */
const held = () => () => undefined;

describe('SecurityEventPoller (RFC 8936)', () => {
  const endpoint = new PollEndpoint();
  let list: RevocationList;
  let transmitter: SecurityEventTransmitter;
  let tokens = 0;

  beforeAll(() => endpoint.start());
  afterAll(() => endpoint.close());

  beforeEach(() => {
    endpoint.seen.length = 0;
    endpoint.answers.length = 0;
    tokens = 0;
    transmitter = unitTransmitter();
  });

  function pollerWith(
    overrides: Partial<SecurityEventPollerOptions> = {},
    store: OidcStore = new MemoryStore(),
  ) {
    list = new RevocationList({
      maxTokenLifetimeSeconds: 3600,
      clockToleranceSeconds: 60,
      maxEntries: 100,
    });
    const receiver = new SecurityEventReceiver({
      verifier: new SecurityEventTokenVerifier({
        transmitters: [transmitter],
        clockToleranceSeconds: 60,
        maxAgeSeconds: 3600,
      }),
      revocations: SharedRevocations.local(list),
      store,
      replayWindowSeconds: 3660,
      compareAuthTime: true,
    });
    return new SecurityEventPoller({
      receiver,
      transmitter,
      endpoint: endpoint.url,
      authorization: () => Promise.resolve(`Bearer token-${++tokens}`),
      maxEvents: 10,
      waitSeconds: 0,
      intervalMs: 10,
      timeoutMs: 2000,
      maxBytes: 1024 * 1024,
      minBackoffMs: 10,
      maxBackoffMs: 40,
      ...overrides,
    });
  }

  const bobRefused = () =>
    list.refusalOf(TOKEN_ISSUER, 'bob', undefined, { iat: NOW - 100 }) !== undefined;

  it('applies the SETs, acknowledges them and reports the bad ones in the next request', async () => {
    const poller = pollerWith();
    const good = await signSet({ jti: 'good' }, { iat: NOW - 10 });
    const forged = await signSet({ jti: 'forged' }, { key: transmitterKeys.attacker.privateKey });
    endpoint.answers.push(sets({ good, forged, odd: 42 }, true), sets({}));

    expect(await poller.pollOnce()).toEqual({ received: 3, moreAvailable: true });
    expect(bobRefused()).toBe(true);
    expect(await poller.pollOnce()).toEqual({ received: 0, moreAvailable: false });

    expect(endpoint.seen[0]).toEqual({
      authorization: 'Bearer token-1',
      body: { maxEvents: 10, returnImmediately: true },
    });
    expect(endpoint.seen[1].body).toEqual({
      ack: ['good'],
      setErrs: {
        forged: { err: 'invalid_key', description: 'The SET signature is invalid' },
        odd: { err: 'invalid_request', description: 'The SET is not a string' },
      },
      maxEvents: 10,
      returnImmediately: true,
    });
    expect(endpoint.seen[1].authorization).toBe('Bearer token-2');
  });

  it('acknowledges a SET delivered twice (a retry) and applies it once', async () => {
    const outcomes: string[] = [];
    const poller = pollerWith({ onReceipt: (r) => outcomes.push(r.outcome) });
    const set = await signSet({ jti: 'twice' });
    endpoint.answers.push(sets({ twice: set }), sets({ twice: set }), sets({}));
    await poller.pollOnce();
    await poller.pollOnce();
    await poller.pollOnce();
    expect(outcomes).toEqual(['applied', 'duplicate']);
    expect(endpoint.seen[1].body.ack).toEqual(['twice']);
    expect(endpoint.seen[2].body.ack).toEqual(['twice']);
  });

  it('lets two replicas poll the same stream: both acknowledge, the shared store applies once', async () => {
    const store = new MemoryStore();
    const outcomes: string[] = [];
    const onReceipt = (r: { outcome: string }) => outcomes.push(r.outcome);
    const first = pollerWith({ onReceipt }, store);
    const second = pollerWith({ onReceipt }, store);
    const set = await signSet({ jti: 'both' });
    endpoint.answers.push(sets({ both: set }), sets({ both: set }), sets({}), sets({}));
    await Promise.all([first.pollOnce(), second.pollOnce()]);
    await Promise.all([first.pollOnce(), second.pollOnce()]);
    expect(outcomes.sort()).toEqual(['applied', 'duplicate']);
    expect(endpoint.seen.slice(2).map((r) => r.body.ack)).toEqual([['both'], ['both']]);
  });

  it('keeps its acknowledgements when a request fails, and sends them with the next one', async () => {
    const poller = pollerWith();
    endpoint.answers.push(sets({ j1: await signSet({ jti: 'j1' }) }), status(500), sets({}));
    await poller.pollOnce();
    await expect(poller.pollOnce()).rejects.toThrow(PollFailedError);
    await poller.pollOnce();
    expect(endpoint.seen[1].body.ack).toEqual(['j1']);
    expect(endpoint.seen[2].body.ack).toEqual(['j1']);
  });

  it('neither acknowledges nor refuses a SET whose keys cannot be fetched: it comes again', async () => {
    transmitter = unitTransmitter({
      keySet: new KeySet(TRANSMITTER, () => Promise.reject(new Error('down')), {
        cooldownMs: 0,
        maxAgeMs: 60_000,
        maxWaitMs: 100,
      }),
    });
    const unavailable: unknown[] = [];
    const poller = pollerWith({ onUnavailable: (err) => unavailable.push(err) });
    endpoint.answers.push(sets({ j1: await signSet({ jti: 'j1' }) }), sets({}));
    await expect(poller.pollOnce()).rejects.toThrow(PollFailedError);
    expect(unavailable).toEqual([expect.any(KeysUnavailableError)]);
    await poller.pollOnce();
    expect(endpoint.seen[1].body).toEqual({ maxEvents: 10, returnImmediately: true });
    expect(bobRefused()).toBe(false);
  });

  it('tells which Authorization value the endpoint refused, so that its token is renewed', async () => {
    const refused: string[] = [];
    const poller = pollerWith({ authorizationRefused: (value) => refused.push(value) });
    endpoint.answers.push(status(401), sets({}));
    await expect(poller.pollOnce()).rejects.toThrow('HTTP 401');
    await poller.pollOnce();
    expect(refused).toEqual(['Bearer token-1']);
  });

  it('refuses an answer that is not a poll answer', async () => {
    const poller = pollerWith();
    endpoint.answers.push((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"sets": ["a.b.c"]}');
    });
    await expect(poller.pollOnce()).rejects.toThrow('sets member is not a JSON object');
  });

  it('long-polls, backs off after failures, and on stop ends the held request and sends what is left to acknowledge', async () => {
    const failures: number[] = [];
    const poller = pollerWith({
      waitSeconds: 20,
      onFailure: (_err, retryInMs) => failures.push(retryInMs),
    });
    endpoint.answers.push(
      status(503),
      status(503),
      status(503),
      sets({ j1: await signSet({ jti: 'j1' }) }),
      held(),
    );
    poller.start();
    const deadline = Date.now() + 5000;
    while (endpoint.seen.length < 5 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(endpoint.seen).toHaveLength(5);
    expect(endpoint.seen[0].body).toEqual({ maxEvents: 10, returnImmediately: false });
    // Jittered between half and all of 10, 20, 40 ms.
    expect(failures).toHaveLength(3);
    failures.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual((10 * 2 ** i) / 2);
      expect(ms).toBeLessThanOrEqual(10 * 2 ** i);
    });

    const stopping = Date.now();
    await poller.stop();
    expect(Date.now() - stopping).toBeLessThan(2000);
    expect(endpoint.seen).toHaveLength(6);
    expect(endpoint.seen[5].body).toEqual({ ack: ['j1'], maxEvents: 0, returnImmediately: true });
  });

  it('sends nothing more on stop when nothing is left to acknowledge', async () => {
    const poller = pollerWith();
    endpoint.answers.push(held());
    poller.start();
    while (endpoint.seen.length < 1) await new Promise((resolve) => setTimeout(resolve, 10));
    await poller.stop();
    expect(endpoint.seen).toHaveLength(1);
  });
});
