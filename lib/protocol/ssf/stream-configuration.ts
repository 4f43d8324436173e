import { POLL_DELIVERY, PUSH_DELIVERY } from './transmitter-metadata.js';

const SSF = 'https://schemas.openid.net/secevent/ssf/event-type/';
/** SSF 1.0 §8.1.4: the event a transmitter sends when the receiver asks it to verify the stream. */
export const VERIFICATION_EVENT = `${SSF}verification`;
/** SSF 1.0 §8.1.5: the stream's status changed at the transmitter. */
export const STREAM_UPDATED_EVENT = `${SSF}stream-updated`;

/** SSF 1.0 §8.1.2: whether the transmitter sends (`enabled`), holds (`paused`) or drops (`disabled`) events. */
export type StreamStatus = 'enabled' | 'paused' | 'disabled';
const STATUSES: readonly string[] = ['enabled', 'paused', 'disabled'];

/** A stream as the transmitter describes it (SSF 1.0 §8.1.1), the members a receiver acts on. */
export interface StreamConfiguration {
  streamId: string;
  /** The `aud` its SETs carry. */
  audiences: readonly string[];
  deliveryMethod: string;
  /** Push: where SETs are sent (this receiver); poll: where this receiver polls (the transmitter's). */
  endpointUrl?: string;
  eventsRequested: readonly string[];
  /** What the transmitter will actually send: requested and supported. */
  eventsDelivered: readonly string[];
}

/** What this receiver asks for: push to `endpointUrl` with `authorization`, or poll. */
export type StreamDelivery =
  | { method: typeof PUSH_DELIVERY; endpointUrl: string; authorization: string }
  | { method: typeof POLL_DELIVERY };

/** The body of a create (POST) or, with `streamId`, update (PATCH) request. */
export function streamRequestOf(
  delivery: StreamDelivery,
  eventsRequested: readonly string[],
  description: string,
  streamId?: string,
): Record<string, unknown> {
  return {
    ...(streamId !== undefined && { stream_id: streamId }),
    delivery:
      delivery.method === PUSH_DELIVERY
        ? {
            method: PUSH_DELIVERY,
            endpoint_url: delivery.endpointUrl,
            authorization_header: delivery.authorization,
          }
        : { method: POLL_DELIVERY },
    events_requested: [...eventsRequested],
    description,
  };
}

/** A stream-management answer is not what SSF says it is. */
export class StreamResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamResponseError';
  }
}

/** One stream configuration read from a transmitter's answer. */
export function streamConfigurationOf(json: unknown): StreamConfiguration {
  const doc = objectOf(json, 'The stream configuration');
  const streamId = doc.stream_id;
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new StreamResponseError('The stream configuration has no stream_id');
  }
  const delivery = objectOf(doc.delivery, 'The stream delivery');
  if (typeof delivery.method !== 'string') {
    throw new StreamResponseError('The stream delivery has no method');
  }
  const endpointUrl = delivery.endpoint_url;
  if (
    endpointUrl !== undefined &&
    (typeof endpointUrl !== 'string' || !URL.canParse(endpointUrl))
  ) {
    throw new StreamResponseError('The stream delivery endpoint_url is not a URL');
  }
  const aud = doc.aud;
  return {
    streamId,
    audiences: typeof aud === 'string' ? [aud] : strings(aud, 'aud'),
    deliveryMethod: delivery.method,
    endpointUrl,
    eventsRequested: strings(doc.events_requested, 'events_requested'),
    eventsDelivered: strings(doc.events_delivered, 'events_delivered'),
  };
}

/** A read without `stream_id` answers one stream or a list of them (SSF 1.0 §8.1.1.2). */
export function streamConfigurationsOf(json: unknown): StreamConfiguration[] {
  if (json === undefined) return [];
  return Array.isArray(json) ? json.map(streamConfigurationOf) : [streamConfigurationOf(json)];
}

/** The status endpoint's answer (SSF 1.0 §8.1.2.1). */
export function streamStatusOf(json: unknown): { status: StreamStatus; reason?: string } {
  const doc = objectOf(json, 'The stream status');
  return {
    status: statusOf(doc.status),
    ...(typeof doc.reason === 'string' && { reason: doc.reason }),
  };
}

/** A `status` member: one of the three SSF statuses. */
export function statusOf(value: unknown): StreamStatus {
  if (typeof value !== 'string' || !STATUSES.includes(value)) {
    throw new StreamResponseError('The stream status is not enabled, paused or disabled');
  }
  return value as StreamStatus;
}

function objectOf(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StreamResponseError(`${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function strings(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new StreamResponseError(`The stream ${name} is not a list of strings`);
  }
  return value as string[];
}
