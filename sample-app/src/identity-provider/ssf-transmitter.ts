import { createPrivateKey, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SignJWT } from 'jose';
import type { PrivateJwks } from './signing-keys.js';

const PUSH = 'urn:ietf:rfc:8935';
const POLL = 'urn:ietf:rfc:8936';
const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';
const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';
const SSF = 'https://schemas.openid.net/secevent/ssf/event-type/';
export const SESSION_REVOKED = `${CAEP}session-revoked`;
export const ACCOUNT_DISABLED = `${RISC}account-disabled`;
export const ACCOUNT_ENABLED = `${RISC}account-enabled`;
const VERIFICATION = `${SSF}verification`;
const STREAM_UPDATED = `${SSF}stream-updated`;
/** What this transmitter emits; a stream delivers what its receiver asked for among these. */
const EVENTS_SUPPORTED = [SESSION_REVOKED, ACCOUNT_DISABLED, ACCOUNT_ENABLED];
const MAX_BODY_BYTES = 64 * 1024;
// A long poll is held at most this long, whatever the receiver is ready to wait.
const MAX_HOLD_MS = 25_000;
const PUSH_ATTEMPTS = 5;

type Status = 'enabled' | 'paused' | 'disabled';

interface Stream {
  id: string;
  clientId: string;
  aud: string;
  method: typeof PUSH | typeof POLL;
  endpointUrl?: string;
  authorizationHeader?: string;
  eventsRequested: string[];
  description?: string;
  status: Status;
  reason?: string;
  /**
   * SETs not yet acknowledged (poll), or not yet accepted (push), by jti, in order; `control`:
   * the stream's own events, sent whatever its status.
   */
  pending: Map<string, { set: string; control: boolean }>;
  /** Long polls waiting for a SET. */
  waiters: Set<() => void>;
  /** Push: a delivery loop is running. */
  pushing: boolean;
}

export interface SsfTransmitterOptions {
  issuer: string;
  jwksUri: string;
  /** The provider's signing keys now (they rotate): SETs are signed with the first. */
  signingKeys: () => PrivateJwks;
  /**
   * The receiver a bearer token stands for (its client id), or `undefined` when the token does not
   * allow stream management.
   */
  authenticate(authorization: string | undefined): Promise<string | undefined>;
  /** The `aud` of the SETs of a receiver's streams: its audience as this provider knows it. */
  audienceOf(clientId: string): string;
}

/**
 * A small OpenID Shared Signals transmitter for the embedded provider: its SSF configuration
 * (SSF 1.0 §7), stream management (§8: one or more streams per receiver client, authorized by a
 * client-credentials token of that client), status and verification, push delivery (RFC 8935,
 * retried with back-off) and poll delivery (RFC 8936, long polls held up to 25 s). SETs are
 * signed with the provider's own key and name their subject in `sub_id`. State lives in memory.
 */
export class SsfTransmitter {
  private readonly streams = new Map<string, Stream>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  /** SETs refused by receivers (poll `setErrs`, push 400), for tests and the console. */
  readonly refused: Array<{ jti: string; err: string; description?: string }> = [];

  constructor(private readonly options: SsfTransmitterOptions) {}

  get configuration(): Record<string, unknown> {
    const { issuer } = this.options;
    return {
      spec_version: '1_0',
      issuer,
      jwks_uri: this.options.jwksUri,
      delivery_methods_supported: [PUSH, POLL],
      configuration_endpoint: `${issuer}/ssf/streams`,
      status_endpoint: `${issuer}/ssf/status`,
      verification_endpoint: `${issuer}/ssf/verify`,
      authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
      default_subjects: 'ALL',
    };
  }

  /** Answers the request when it is one of the transmitter's; false otherwise. */
  handles(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', this.options.issuer);
    if (url.pathname === '/.well-known/ssf-configuration' && req.method === 'GET') {
      json(res, 200, this.configuration);
      return true;
    }
    if (!url.pathname.startsWith('/ssf/')) return false;
    void this.route(req, res, url).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      json(res, status, {
        error: err instanceof HttpError ? err.code : 'server_error',
        error_description: err instanceof Error ? err.message : String(err),
      });
    });
    return true;
  }

  /** Sends an event about `subject` on every stream that asked for its type. */
  async emit(
    type: string,
    subject: Record<string, unknown>,
    payload: Record<string, unknown> = {},
  ) {
    // In milliseconds (a NumericDate may have a fraction): a token issued earlier in the same
    // second (its `iat` is whole seconds) is refused too, rather than outliving a logout.
    const event = { event_timestamp: Date.now() / 1000, ...payload };
    for (const stream of this.streams.values()) {
      if (!stream.eventsRequested.includes(type) || stream.status === 'disabled') continue;
      await this.enqueue(stream, type, subject, event);
    }
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    for (const stream of this.streams.values()) for (const wake of stream.waiters) wake();
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const clientId = await this.options.authenticate(req.headers.authorization);
    if (!clientId) throw new HttpError(401, 'invalid_token', 'A valid ssf token is required');
    const path = url.pathname;
    if (path === '/ssf/streams') return this.streamsEndpoint(req, res, url, clientId);
    if (path === '/ssf/status') return this.statusEndpoint(req, res, url, clientId);
    if (path === '/ssf/verify' && req.method === 'POST') {
      const body = await readJson(req);
      const stream = this.owned(body.stream_id, clientId);
      const state = typeof body.state === 'string' ? { state: body.state } : {};
      await this.enqueue(stream, VERIFICATION, streamSubject(stream), state, true);
      res.writeHead(204).end();
      return;
    }
    const poll = /^\/ssf\/poll\/([\w-]+)$/.exec(path);
    if (poll && req.method === 'POST') {
      const stream = this.owned(poll[1], clientId);
      if (stream.method !== POLL) throw new HttpError(400, 'invalid_request', 'Not a poll stream');
      return json(res, 200, await this.poll(stream, await readJson(req)));
    }
    throw new HttpError(404, 'not_found', 'No such SSF endpoint');
  }

  private async streamsEndpoint(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    clientId: string,
  ): Promise<void> {
    const id = url.searchParams.get('stream_id');
    switch (req.method) {
      case 'GET':
        if (id) return json(res, 200, this.describe(this.owned(id, clientId)));
        return json(
          res,
          200,
          [...this.streams.values()]
            .filter((s) => s.clientId === clientId)
            .map((s) => this.describe(s)),
        );
      case 'POST': {
        const stream: Stream = {
          id: randomUUID(),
          clientId,
          aud: this.options.audienceOf(clientId),
          method: POLL,
          eventsRequested: [],
          status: 'enabled',
          pending: new Map(),
          waiters: new Set(),
          pushing: false,
        };
        this.configure(stream, await readJson(req));
        this.streams.set(stream.id, stream);
        return json(res, 201, this.describe(stream));
      }
      case 'PATCH': {
        const body = await readJson(req);
        const stream = this.owned(body.stream_id, clientId);
        this.configure(stream, body);
        return json(res, 200, this.describe(stream));
      }
      case 'DELETE':
        this.streams.delete(this.owned(id, clientId).id);
        res.writeHead(204).end();
        return;
      default:
        throw new HttpError(405, 'invalid_request', 'Method not allowed');
    }
  }

  private async statusEndpoint(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    clientId: string,
  ): Promise<void> {
    if (req.method === 'GET') {
      const stream = this.owned(url.searchParams.get('stream_id'), clientId);
      return json(res, 200, statusOf(stream));
    }
    if (req.method !== 'POST') throw new HttpError(405, 'invalid_request', 'Method not allowed');
    const body = await readJson(req);
    const stream = this.owned(body.stream_id, clientId);
    if (body.status !== 'enabled' && body.status !== 'paused' && body.status !== 'disabled') {
      throw new HttpError(400, 'invalid_request', 'status must be enabled, paused or disabled');
    }
    await this.setStatus(
      stream,
      body.status,
      typeof body.reason === 'string' ? body.reason : undefined,
    );
    return json(res, 200, statusOf(stream));
  }

  /** Changes a stream's status, telling its receiver with a stream-updated event (SSF §8.1.5). */
  async setStatus(stream: Stream | string, status: Status, reason?: string): Promise<void> {
    const target = typeof stream === 'string' ? this.streams.get(stream) : stream;
    if (!target) throw new Error(`No stream ${String(stream)}`);
    target.status = status;
    target.reason = reason;
    // Disabled: what it held is dropped (SSF §8.1.2), and nothing more is kept.
    if (status === 'disabled') target.pending.clear();
    await this.enqueue(
      target,
      STREAM_UPDATED,
      streamSubject(target),
      { status, ...(reason && { reason }) },
      true,
    );
    if (status === 'enabled') this.wake(target);
  }

  /** The streams of every receiver, for tests and the console. */
  get allStreams(): ReadonlyArray<Readonly<Stream>> {
    return [...this.streams.values()];
  }

  private configure(stream: Stream, body: Record<string, unknown>): void {
    const delivery = body.delivery as Record<string, unknown> | undefined;
    if (delivery !== undefined && (typeof delivery !== 'object' || delivery === null)) {
      throw new HttpError(400, 'invalid_request', 'delivery must be an object');
    }
    if (delivery !== undefined) {
      if (delivery.method === PUSH) {
        if (typeof delivery.endpoint_url !== 'string' || !URL.canParse(delivery.endpoint_url)) {
          throw new HttpError(400, 'invalid_request', 'Push delivery needs an endpoint_url');
        }
        stream.method = PUSH;
        stream.endpointUrl = delivery.endpoint_url;
        stream.authorizationHeader =
          typeof delivery.authorization_header === 'string'
            ? delivery.authorization_header
            : undefined;
      } else if (delivery.method === POLL) {
        stream.method = POLL;
        stream.endpointUrl = `${this.options.issuer}/ssf/poll/${stream.id}`;
        stream.authorizationHeader = undefined;
      } else {
        throw new HttpError(400, 'invalid_request', 'delivery.method is not supported');
      }
    } else if (stream.method === POLL) {
      stream.endpointUrl = `${this.options.issuer}/ssf/poll/${stream.id}`;
    }
    const requested = body.events_requested;
    if (requested !== undefined) {
      if (!Array.isArray(requested) || requested.some((e) => typeof e !== 'string')) {
        throw new HttpError(400, 'invalid_request', 'events_requested must list event types');
      }
      stream.eventsRequested = requested as string[];
    }
    if (typeof body.description === 'string') stream.description = body.description;
  }

  private describe(stream: Stream): Record<string, unknown> {
    return {
      stream_id: stream.id,
      iss: this.options.issuer,
      aud: stream.aud,
      delivery: { method: stream.method, endpoint_url: stream.endpointUrl },
      events_supported: EVENTS_SUPPORTED,
      events_requested: stream.eventsRequested,
      events_delivered: stream.eventsRequested.filter((e) => EVENTS_SUPPORTED.includes(e)),
      ...(stream.description && { description: stream.description }),
    };
  }

  private owned(id: unknown, clientId: string): Stream {
    const stream = typeof id === 'string' ? this.streams.get(id) : undefined;
    // Another receiver's stream is answered as missing: its existence is none of this one's business.
    if (!stream || stream.clientId !== clientId) {
      throw new HttpError(404, 'not_found', 'No such stream');
    }
    return stream;
  }

  private async enqueue(
    stream: Stream,
    type: string,
    subject: Record<string, unknown>,
    event: Record<string, unknown>,
    control = false,
  ): Promise<void> {
    const jti = randomUUID();
    const [key] = this.options.signingKeys().keys;
    const set = await new SignJWT({
      jti,
      aud: stream.aud,
      sub_id: subject,
      events: { [type]: event },
    })
      .setProtectedHeader({ alg: String(key.alg), typ: 'secevent+jwt', kid: key.kid })
      .setIssuer(this.options.issuer)
      .setIssuedAt()
      .sign(createPrivateKey({ key: key as never, format: 'jwk' }));
    stream.pending.set(jti, { set, control });
    // A paused stream holds its events (SSF §8.1.2), its own stream-updated events excepted.
    if (stream.status !== 'enabled' && !control) return;
    if (stream.method === PUSH) void this.push(stream);
    else this.wake(stream);
  }

  private wake(stream: Stream): void {
    if (stream.method === PUSH) {
      void this.push(stream);
      return;
    }
    for (const wake of stream.waiters) wake();
    stream.waiters.clear();
  }

  /** RFC 8935: each pending SET in order; a refused one is dropped, a failed one retried. */
  private async push(stream: Stream): Promise<void> {
    if (stream.pushing) return;
    stream.pushing = true;
    try {
      for (let attempt = 0; attempt < PUSH_ATTEMPTS && !this.closed; attempt += 1) {
        const undelivered = await this.pushPending(stream);
        if (undelivered === 0) return;
        await this.sleep(250 * 2 ** attempt);
      }
    } finally {
      stream.pushing = false;
    }
  }

  // The number of SETs left after one pass.
  private async pushPending(stream: Stream): Promise<number> {
    for (const [jti, { set, control }] of stream.pending) {
      if (stream.status !== 'enabled' && !control) continue;
      let res: Response;
      try {
        res = await fetch(stream.endpointUrl!, {
          method: 'POST',
          headers: {
            'content-type': 'application/secevent+jwt',
            accept: 'application/json',
            ...(stream.authorizationHeader && { authorization: stream.authorizationHeader }),
          },
          body: set,
          signal: AbortSignal.timeout(5000),
        });
      } catch {
        return stream.pending.size;
      }
      if (res.status === 202) {
        await res.body?.cancel();
        stream.pending.delete(jti);
      } else if (res.status === 400) {
        const answer = (await res.json().catch(() => ({}))) as {
          err?: string;
          description?: string;
        };
        this.refused.push({ jti, err: answer.err ?? 'unknown', description: answer.description });
        stream.pending.delete(jti);
      } else {
        await res.body?.cancel();
        return stream.pending.size;
      }
    }
    return 0;
  }

  /** RFC 8936 §2.4: acknowledgements and errors applied, then the pending SETs, held if none. */
  private async poll(
    stream: Stream,
    body: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    if (Array.isArray(body.ack)) {
      for (const jti of body.ack) if (typeof jti === 'string') stream.pending.delete(jti);
    }
    if (typeof body.setErrs === 'object' && body.setErrs !== null) {
      for (const [jti, error] of Object.entries(body.setErrs as Record<string, unknown>)) {
        const { err, description } = (error ?? {}) as { err?: unknown; description?: unknown };
        this.refused.push({
          jti,
          err: String(err),
          description: typeof description === 'string' ? description : undefined,
        });
        stream.pending.delete(jti);
      }
    }
    const maxEvents = typeof body.maxEvents === 'number' ? Math.max(0, body.maxEvents) : 100;
    const deliverable = () =>
      [...stream.pending.values()].filter((p) => p.control || stream.status === 'enabled');
    if (maxEvents === 0) return { sets: {}, moreAvailable: deliverable().length > 0 };
    if (deliverable().length === 0 && body.returnImmediately !== true && !this.closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, MAX_HOLD_MS);
        stream.waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const sets: Record<string, string> = {};
    for (const [jti, { set, control }] of stream.pending) {
      if (Object.keys(sets).length >= maxEvents) break;
      if (control || stream.status === 'enabled') sets[jti] = set;
    }
    return { sets, moreAvailable: deliverable().length > Object.keys(sets).length };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function streamSubject(stream: Stream): Record<string, unknown> {
  return { format: 'opaque', id: stream.id };
}

function statusOf(stream: Stream): Record<string, unknown> {
  return {
    stream_id: stream.id,
    status: stream.status,
    ...(stream.reason && { reason: stream.reason }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'invalid_request', 'The body is too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let parsed: unknown;
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_request', 'The body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'invalid_request', 'The body is not a JSON object');
  }
  return parsed as Record<string, unknown>;
}
