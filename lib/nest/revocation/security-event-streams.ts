import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { SecurityEventPoller } from '../../core/revocation/security-event-poller.js';
import { SecurityEventReceiver } from '../../core/revocation/security-event-receiver.js';
import { REVOCATION_EVENTS } from '../../core/revocation/security-events.js';
import { ssfRequest, type SsfResponse } from '../../protocol/ssf/ssf-request.js';
import {
  type StreamConfiguration,
  streamConfigurationOf,
  streamConfigurationsOf,
  type StreamDelivery,
  streamRequestOf,
  streamStatusOf,
} from '../../protocol/ssf/stream-configuration.js';
import {
  fetchTransmitterMetadata,
  POLL_DELIVERY,
  PUSH_DELIVERY,
  type TransmitterMetadata,
} from '../../protocol/ssf/transmitter-metadata.js';
import { RefusalLogLimiter } from '../observability/refusal-log-limiter.js';
import { OIDC_AUTH_OPTIONS, type OidcAuthModuleOptions } from '../options/oidc-auth.options.js';
import {
  revocationSettingsOf,
  type SecurityEventAuthorization,
  type TransmitterSettings,
} from '../options/revocation.options.js';
import { loggable } from '../transports/transport.js';
import { SecurityEventReports } from './security-event-reports.js';
import { SecurityEventStreamState } from './security-event-stream-state.js';

// Stream-management answers are a few KiB; a poll answer holds up to maxEvents SETs.
const MAX_MANAGEMENT_BYTES = 256 * 1024;
const MAX_POLL_BYTES = 4 * 1024 * 1024;
const SETUP_RETRY_MIN_MS = 1000;
const SETUP_RETRY_MAX_MS = 60_000;

/** A stream-management request failed: the answer the transmitter gave, or why none came. */
class StreamSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamSetupError';
  }
}

/**
 * The module's side of SSF streams, started with the application and stopped with it: finds or
 * creates each managed stream at its transmitter (SSF 1.0 §8.1.1), updating it to the events and
 * delivery this module wants, reads its status, asks for its verification, and polls the
 * transmitters that deliver by poll (RFC 8936). A transmitter unreachable at startup does not
 * stop the application: the set-up is retried with back-off, and logged.
 */
@Injectable()
export class SecurityEventStreams implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('OidcAuthRevocation');
  private readonly failures: RefusalLogLimiter<string>;
  private readonly pollers: SecurityEventPoller[] = [];
  private readonly retries = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    @Inject(OIDC_AUTH_OPTIONS) private readonly options: OidcAuthModuleOptions,
    private readonly streams: SecurityEventStreamState,
    private readonly reports: SecurityEventReports,
    @Optional() private readonly receiver?: SecurityEventReceiver,
  ) {
    this.failures = new RefusalLogLimiter(options.refusalLogIntervalMs ?? 10_000);
  }

  async onApplicationBootstrap(): Promise<void> {
    const settings = this.options.revocation && revocationSettingsOf(this.options.revocation);
    if (!settings || !this.receiver) return;
    await Promise.all(
      settings.transmitters.filter((t) => t.stream || t.poll).map((t) => this.attempt(t, 0)),
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
    await Promise.all(this.pollers.map((poller) => poller.stop()));
  }

  private async attempt(transmitter: TransmitterSettings, failed: number): Promise<void> {
    if (this.closed) return;
    try {
      await this.setUp(transmitter);
    } catch (err) {
      const delay = Math.min(SETUP_RETRY_MAX_MS, SETUP_RETRY_MIN_MS * 2 ** failed);
      this.logger.warn(
        `The SSF stream of ${loggable(transmitter.issuer)} could not be set up (${loggable(messageOf(err))}); retrying in ${delay} ms`,
      );
      const timer = setTimeout(() => {
        this.retries.delete(timer);
        void this.attempt(transmitter, failed + 1);
      }, delay);
      timer.unref();
      this.retries.add(timer);
    }
  }

  private async setUp(transmitter: TransmitterSettings): Promise<void> {
    const authorizer = authorizerOf(transmitter.authorization!);
    let endpoint = transmitter.poll?.endpoint;
    let metadata: TransmitterMetadata | undefined;
    let stream: StreamConfiguration | undefined;
    if (transmitter.stream) {
      metadata = await fetchTransmitterMetadata(transmitter.issuer, this.fetchOptions());
      stream = await this.managed(transmitter, metadata, authorizer);
      if (this.closed) return;
      this.streams.track(transmitter.issuer, stream.streamId);
      endpoint ??= stream.endpointUrl && pollEndpointOf(stream.endpointUrl, transmitter.issuer);
    }
    if (transmitter.poll) {
      if (!endpoint) throw new StreamSetupError('the poll stream names no poll endpoint');
      this.startPoller(transmitter, endpoint, authorizer);
    }
    if (metadata && stream) {
      // Neither stops the stream from working: each is logged on its own when it fails.
      await this.readStatus(transmitter.issuer, metadata, stream, authorizer).catch(
        (err: unknown) => this.unreachable(transmitter.issuer, 'status', err),
      );
      await this.verify(transmitter.issuer, metadata, stream, authorizer).catch((err: unknown) =>
        this.unreachable(transmitter.issuer, 'verification', err),
      );
    }
  }

  /** The stream found (and updated to what this module wants) or created. */
  private async managed(
    transmitter: TransmitterSettings,
    metadata: TransmitterMetadata,
    authorizer: Authorizer,
  ): Promise<StreamConfiguration> {
    const wanted = transmitter.stream!;
    const method = wanted.delivery === 'push' ? PUSH_DELIVERY : POLL_DELIVERY;
    if (metadata.deliveryMethods.length > 0 && !metadata.deliveryMethods.includes(method)) {
      throw new StreamSetupError(`the transmitter does not offer ${method} delivery`);
    }
    const endpoint = metadata.configurationEndpoint;
    if (!endpoint) throw new StreamSetupError('the transmitter has no configuration_endpoint');
    const delivery: StreamDelivery =
      method === PUSH_DELIVERY
        ? {
            method,
            endpointUrl: wanted.pushEndpoint!,
            authorization: transmitter.pushAuthorization!,
          }
        : { method };
    const events = Object.keys(REVOCATION_EVENTS);
    const read = await this.request(endpoint, authorizer, { method: 'GET' });
    const existing =
      read.status === 404 ? [] : streamConfigurationsOf(expected(read, [200], 'read'));
    const found =
      existing.find((s) => s.deliveryMethod === method && s.endpointUrl === wanted.pushEndpoint) ??
      existing.find((s) => s.deliveryMethod === method) ??
      existing[0];
    const body = streamRequestOf(delivery, events, wanted.description, found?.streamId);
    const written = await this.request(endpoint, authorizer, {
      method: found ? 'PATCH' : 'POST',
      body,
    });
    const stream = streamConfigurationOf(
      expected(written, found ? [200] : [200, 201], found ? 'update' : 'create'),
    );
    const issuer = loggable(transmitter.issuer);
    if (!stream.audiences.some((aud) => transmitter.audiences.includes(aud))) {
      this.logger.error(
        `The SSF stream of ${issuer} addresses its SETs to ${loggable(stream.audiences.join(', '))}, not to this receiver's audience: they will be refused`,
      );
    }
    const missing = events.filter((e) => !stream.eventsDelivered.includes(e));
    if (stream.eventsDelivered.length > 0 && missing.length > 0) {
      this.logger.warn(
        `The SSF stream of ${issuer} will not deliver ${missing.map((e) => REVOCATION_EVENTS[e as keyof typeof REVOCATION_EVENTS]).join(', ')}`,
      );
    }
    this.logger.log(
      `${found ? 'Found' : 'Created'} the SSF stream ${loggable(stream.streamId)} of ${issuer} (${wanted.delivery} delivery)`,
    );
    return stream;
  }

  private async readStatus(
    issuer: string,
    metadata: TransmitterMetadata,
    stream: StreamConfiguration,
    authorizer: Authorizer,
  ): Promise<void> {
    if (!metadata.statusEndpoint) return;
    const url = new URL(metadata.statusEndpoint);
    url.searchParams.set('stream_id', stream.streamId);
    const answer = await this.request(url.href, authorizer, { method: 'GET' });
    const { status, reason } = streamStatusOf(expected(answer, [200], 'status read'));
    this.streams.statusChanged(issuer, status, reason);
  }

  /** SSF 1.0 §8.1.4: the transmitter is asked to send a verification event with a fresh state. */
  private async verify(
    issuer: string,
    metadata: TransmitterMetadata,
    stream: StreamConfiguration,
    authorizer: Authorizer,
  ): Promise<void> {
    if (!metadata.verificationEndpoint) return;
    const state = randomUUID();
    this.streams.expectVerification(issuer, state);
    const answer = await this.request(metadata.verificationEndpoint, authorizer, {
      method: 'POST',
      body: { stream_id: stream.streamId, state },
    });
    expected(answer, [200, 202, 204], 'verification request');
  }

  private startPoller(
    transmitter: TransmitterSettings,
    endpoint: string,
    authorizer: Authorizer,
  ): void {
    const poll = transmitter.poll!;
    const issuer = loggable(transmitter.issuer);
    const poller = new SecurityEventPoller({
      receiver: this.receiver!,
      transmitter: this.receiver!.transmitters.find((t) => t.issuer === transmitter.issuer)!,
      endpoint,
      authorization: () => authorizer.value(),
      authorizationRefused: (value) => authorizer.refused(value),
      maxEvents: poll.maxEvents,
      waitSeconds: poll.waitSeconds,
      intervalMs: poll.intervalMs,
      timeoutMs: this.fetchOptions().timeoutMs,
      maxBytes: MAX_POLL_BYTES,
      minBackoffMs: 1000,
      maxBackoffMs: 60_000,
      onReceipt: (receipt) => {
        this.reports.received(receipt);
        this.streams.received(receipt);
      },
      onRefused: (_jti, error) =>
        this.reports.rejected(error.code, error.message, transmitter.issuer),
      onUnavailable: (error) => this.reports.unavailable(error, transmitter.issuer),
      onFailure: (error, retryInMs) => {
        const unlogged = this.failures.admit('poll');
        if (unlogged === undefined) return;
        this.logger.warn(
          `Polling ${issuer} failed (${loggable(messageOf(error))}); next poll in ${retryInMs} ms${unlogged}`,
        );
      },
    });
    this.pollers.push(poller);
    poller.start();
    this.logger.log(`Polling the SSF stream of ${issuer} at ${loggable(endpoint)}`);
  }

  private async request(
    url: string,
    authorizer: Authorizer,
    request: { method: 'GET' | 'POST' | 'PATCH'; body?: unknown },
  ): Promise<SsfResponse> {
    const authorization = await authorizer.value();
    const answer = await ssfRequest(url, {
      ...request,
      authorization,
      timeoutMs: this.fetchOptions().timeoutMs,
      maxBytes: MAX_MANAGEMENT_BYTES,
    });
    if (answer.status === 401) authorizer.refused(authorization);
    return answer;
  }

  private fetchOptions(): { timeoutMs: number; maxBytes: number } {
    return { timeoutMs: this.options.keys?.timeoutMs ?? 5000, maxBytes: MAX_MANAGEMENT_BYTES };
  }

  private unreachable(issuer: string, what: string, err: unknown): void {
    this.logger.warn(
      `The SSF stream ${what} of ${loggable(issuer)} failed: ${loggable(messageOf(err))}`,
    );
  }
}

/** The `Authorization` header value for the transmitter, and what to do when it is refused. */
interface Authorizer {
  value(): Promise<string>;
  /** A 401 to `value`: a token from the token client is evicted, the next value is a new one. */
  refused(value: string): void;
}

function authorizerOf(authorization: SecurityEventAuthorization): Authorizer {
  if ('bearer' in authorization) {
    const value = `Bearer ${authorization.bearer}`;
    return { value: () => Promise.resolve(value), refused: () => undefined };
  }
  const { tokenClient, scopes, resource } = authorization;
  return {
    value: async () => `Bearer ${await tokenClient.getAppToken({ scopes, resource })}`,
    refused: (value) => tokenClient.evict?.(value.slice('Bearer '.length)),
  };
}

/**
 * The poll endpoint a stream names receives this receiver's token: `https`, as the transmitter's
 * other endpoints, unless the transmitter itself is plain `http` (a developer's machine).
 */
function pollEndpointOf(url: string, issuer: string): string {
  const protocol = new URL(url).protocol;
  if (protocol === 'https:' || (protocol === 'http:' && new URL(issuer).protocol === 'http:')) {
    return url;
  }
  throw new StreamSetupError('the stream poll endpoint_url is not an https URL');
}

function expected(answer: SsfResponse, statuses: readonly number[], what: string): unknown {
  if (!statuses.includes(answer.status)) {
    const error = (answer.json as { error?: unknown; err?: unknown } | undefined) ?? {};
    const code = typeof error.error === 'string' ? error.error : error.err;
    throw new StreamSetupError(
      `the stream ${what} was answered HTTP ${answer.status}${typeof code === 'string' ? ` ${code}` : ''}`,
    );
  }
  return answer.json;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
