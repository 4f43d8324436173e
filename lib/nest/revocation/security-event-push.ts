import { timingSafeEqual, createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Inject, Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  KeysUnavailableError,
  SecurityEventError,
  type SecurityEventErrorCode,
} from '../../protocol/errors/errors.js';
import { SecurityEventReceiver } from '../../core/revocation/security-event-receiver.js';
import type { SecurityEventTransmitter } from '../../core/revocation/security-event-token.js';
import { OIDC_AUTH_OPTIONS, type OidcAuthModuleOptions } from '../options/oidc-auth.options.js';
import { revocationSettingsOf } from '../options/revocation.options.js';
import { SecurityEventReports } from './security-event-reports.js';

const MEDIA_TYPE = 'application/secevent+jwt';

interface PushRequest {
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}

/** The part of Fastify's instance the endpoint uses (Fastify is not a dependency of the module). */
interface FastifyRoutes {
  addContentTypeParser(
    type: string,
    parser: (req: unknown, payload: Readable, done: (err: null, body: Readable) => void) => void,
  ): void;
  route(route: {
    method: 'POST';
    url: string;
    onRequest: (req: PushRequest, reply: unknown, done: () => void) => void;
    handler: (req: PushRequest & Readable, reply: unknown) => void;
  }): void;
}

interface Answer {
  status: number;
  body?: { err: string; description: string };
  headers?: Record<string, string>;
}

/**
 * The RFC 8935 push endpoint: `POST <revocation.push.path>` with `Content-Type:
 * application/secevent+jwt`, the `Authorization` value configured for one transmitter, and a SET
 * of that transmitter as the body. 202 once it is applied (or ignored, or a duplicate); 400 with
 * `{"err", "description"}` (§2.3) for a bad SET, of which nothing is applied; 503 with
 * Retry-After when the transmitter's keys or the store cannot be reached, so that it retries.
 * Registered on the HTTP adapter, outside the guard: the transmitter holds no access token, its
 * `Authorization` value is checked here.
 */
@Injectable()
export class SecurityEventPush implements OnModuleInit {
  private readonly authorizations: { digest: Buffer; transmitter: SecurityEventTransmitter }[];

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(OIDC_AUTH_OPTIONS) private readonly options: OidcAuthModuleOptions,
    private readonly reports: SecurityEventReports,
    @Optional() private readonly receiver?: SecurityEventReceiver,
  ) {
    const settings = options.revocation && revocationSettingsOf(options.revocation);
    this.authorizations = (settings?.push && receiver ? settings.transmitters : []).map((t) => ({
      digest: digestOf(t.pushAuthorization!),
      transmitter: receiver!.transmitters.find((known) => known.issuer === t.issuer)!,
    }));
  }

  onModuleInit(): void {
    const settings = this.options.revocation && revocationSettingsOf(this.options.revocation);
    const adapter = this.adapterHost.httpAdapter;
    if (!settings?.push || !this.receiver || !adapter) return;
    const { path, maxBytes } = settings.push;
    const handle = (req: PushRequest & Readable, res: unknown): void => {
      void this.answer(req, maxBytes).then(
        (answer) => this.send(res, answer),
        () => this.send(res, { status: 503, headers: { 'Retry-After': '5' } }),
      );
    };
    if (adapter.getType() !== 'fastify') {
      adapter.post(path, handle);
      return;
    }
    // Fastify answers 415 itself to a media type it has no parser for, before any handler: the
    // request is checked in the route's onRequest hook instead, and this media type's body is
    // left to the handler as a stream, read bounded.
    const fastify = adapter.getInstance<FastifyRoutes>();
    fastify.addContentTypeParser(MEDIA_TYPE, (_req, payload, done) => done(null, payload));
    fastify.route({
      method: 'POST',
      url: path,
      onRequest: (req, reply, done) => {
        const checked = this.preflight(req, maxBytes);
        if ('status' in checked) this.send(reply, checked);
        else done();
      },
      handler: handle,
    });
  }

  private send(res: unknown, answer: Answer): void {
    const adapter = this.adapterHost.httpAdapter;
    for (const [name, value] of Object.entries(answer.headers ?? {})) {
      adapter.setHeader(res, name, value);
    }
    adapter.reply(res, answer.body, answer.status);
  }

  /** What the headers say: the transmitter the request authenticated as, or the answer. */
  private preflight(req: PushRequest, maxBytes: number): SecurityEventTransmitter | Answer {
    const transmitter = this.authenticated(req.headers.authorization);
    if (!transmitter) {
      return this.refused(
        'authentication_failed',
        'The Authorization header is missing or wrong',
        undefined,
      );
    }
    const type = header(req.headers['content-type'])?.split(';')[0].trim().toLowerCase();
    if (type !== MEDIA_TYPE) {
      return this.refused('invalid_request', `The Content-Type must be ${MEDIA_TYPE}`, transmitter);
    }
    const declared = Number(header(req.headers['content-length']));
    return declared > maxBytes ? this.tooLarge(maxBytes, transmitter) : transmitter;
  }

  private async answer(req: PushRequest & Readable, maxBytes: number): Promise<Answer> {
    const transmitter = this.preflight(req, maxBytes);
    if ('status' in transmitter) return transmitter;
    // Fastify hands over the stream its parser kept; Express leaves it in the request.
    const text = await readBounded(isReadable(req.body) ? req.body : req, maxBytes);
    if (text === undefined) return this.tooLarge(maxBytes, transmitter);
    try {
      this.reports.received(await this.receiver!.receive(text.trim(), transmitter));
      return { status: 202 };
    } catch (err) {
      if (err instanceof SecurityEventError) {
        return this.refused(err.code, err.message, transmitter);
      }
      const retryAfter = err instanceof KeysUnavailableError ? err.retryAfterSeconds : 5;
      this.reports.unavailable(err, transmitter.issuer);
      return { status: 503, headers: { 'Retry-After': String(retryAfter) } };
    }
  }

  // Compared by digest, in constant time: the header is a secret, the lengths must not tell.
  private authenticated(
    value: string | string[] | undefined,
  ): SecurityEventTransmitter | undefined {
    const given = header(value);
    if (given === undefined) return undefined;
    const digest = digestOf(given);
    let found: SecurityEventTransmitter | undefined;
    for (const candidate of this.authorizations) {
      if (timingSafeEqual(candidate.digest, digest)) found = candidate.transmitter;
    }
    return found;
  }

  private refused(
    code: SecurityEventErrorCode,
    description: string,
    transmitter: SecurityEventTransmitter | undefined,
  ): Answer {
    this.reports.rejected(code, description, transmitter?.issuer);
    return { status: 400, body: { err: code, description } };
  }

  private tooLarge(maxBytes: number, transmitter: SecurityEventTransmitter): Answer {
    const answer = this.refused(
      'invalid_request',
      `The SET is larger than ${maxBytes} bytes`,
      transmitter,
    );
    return { ...answer, status: 413, headers: { Connection: 'close' } };
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value;
}

function digestOf(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function isReadable(value: unknown): value is Readable {
  return typeof (value as Readable | undefined)?.on === 'function';
}

/**
 * The body as UTF-8, or `undefined` once it exceeds `maxBytes`: the rest is left unread (the
 * answer closes the connection), rather than destroying the stream the answer still needs.
 */
function readBounded(stream: Readable, maxBytes: number): Promise<string | undefined> {
  if (stream.readableEnded) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer | string): void => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      if (size <= maxBytes) {
        chunks.push(bytes);
        return;
      }
      stop();
      stream.pause();
      resolve(undefined);
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (err: Error): void => {
      stop();
      reject(err);
    };
    const stop = (): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
