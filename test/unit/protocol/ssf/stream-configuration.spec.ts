import {
  StreamResponseError,
  streamConfigurationOf,
  streamConfigurationsOf,
  streamRequestOf,
  streamStatusOf,
} from '../../../../lib/protocol/ssf/stream-configuration.js';
import { POLL_DELIVERY, PUSH_DELIVERY } from '../../../../lib/protocol/ssf/transmitter-metadata.js';

const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';

const stream = (members: Record<string, unknown> = {}) => ({
  stream_id: 's1',
  iss: 'https://ssf.example',
  aud: 'https://api.example',
  delivery: { method: POLL_DELIVERY, endpoint_url: 'https://ssf.example/poll/s1' },
  events_supported: [SESSION_REVOKED],
  events_requested: [SESSION_REVOKED],
  events_delivered: [SESSION_REVOKED],
  ...members,
});

describe('streamRequestOf (SSF 1.0 §8.1.1)', () => {
  it('asks for push delivery to the receiver with its Authorization value', () => {
    expect(
      streamRequestOf(
        {
          method: PUSH_DELIVERY,
          endpointUrl: 'https://api.example/ssf/events',
          authorization: 'Bearer secret',
        },
        [SESSION_REVOKED],
        'notes',
      ),
    ).toEqual({
      delivery: {
        method: PUSH_DELIVERY,
        endpoint_url: 'https://api.example/ssf/events',
        authorization_header: 'Bearer secret',
      },
      events_requested: [SESSION_REVOKED],
      description: 'notes',
    });
  });

  it('asks for poll delivery, naming the stream on an update', () => {
    expect(streamRequestOf({ method: POLL_DELIVERY }, [SESSION_REVOKED], 'notes', 's1')).toEqual({
      stream_id: 's1',
      delivery: { method: POLL_DELIVERY },
      events_requested: [SESSION_REVOKED],
      description: 'notes',
    });
  });
});

describe('streamConfigurationOf', () => {
  it('reads the members a receiver acts on', () => {
    expect(streamConfigurationOf(stream())).toEqual({
      streamId: 's1',
      audiences: ['https://api.example'],
      deliveryMethod: POLL_DELIVERY,
      endpointUrl: 'https://ssf.example/poll/s1',
      eventsRequested: [SESSION_REVOKED],
      eventsDelivered: [SESSION_REVOKED],
    });
    expect(streamConfigurationOf(stream({ aud: ['a', 'b'] })).audiences).toEqual(['a', 'b']);
  });

  it.each<[string, Record<string, unknown>]>([
    ['no stream_id', { stream_id: undefined }],
    ['an empty stream_id', { stream_id: '' }],
    ['no delivery', { delivery: undefined }],
    ['a delivery without method', { delivery: {} }],
    ['an endpoint_url that is no URL', { delivery: { method: PUSH_DELIVERY, endpoint_url: 'x' } }],
    ['events that are not strings', { events_delivered: [1] }],
    ['an aud that is not strings', { aud: 42 }],
  ])('refuses a configuration with %s', (_, members) => {
    expect(() => streamConfigurationOf(stream(members))).toThrow(StreamResponseError);
  });

  it('reads a list of streams, one stream, or nothing', () => {
    expect(streamConfigurationsOf([stream(), stream({ stream_id: 's2' })])).toHaveLength(2);
    expect(streamConfigurationsOf(stream())).toHaveLength(1);
    expect(streamConfigurationsOf(undefined)).toEqual([]);
  });
});

describe('streamStatusOf (SSF 1.0 §8.1.2)', () => {
  it('reads the status and its reason', () => {
    expect(streamStatusOf({ stream_id: 's1', status: 'paused', reason: 'maintenance' })).toEqual({
      status: 'paused',
      reason: 'maintenance',
    });
    expect(streamStatusOf({ status: 'enabled' })).toEqual({ status: 'enabled' });
  });

  it.each([{ status: 'on' }, {}, null, 'enabled'])('refuses %j', (json) => {
    expect(() => streamStatusOf(json)).toThrow(StreamResponseError);
  });
});
