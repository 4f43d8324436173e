import { OidcAuthConfigError } from '../../../../lib/core/config/config-error.js';
import {
  type RevocationOptions,
  revocationSettingsOf,
} from '../../../../lib/nest/options/revocation.options.js';

const transmitter = {
  issuer: 'https://ssf.example',
  jwksUri: 'https://ssf.example/jwks',
  audience: 'https://api.example',
  pushAuthorization: 'Bearer 0123456789abcdef',
};

describe('revocationSettingsOf', () => {
  it('fills in the defaults', () => {
    expect(revocationSettingsOf({ transmitters: [transmitter], push: {} })).toEqual({
      maxTokenLifetimeSeconds: 86_400,
      maxEntries: 100_000,
      compareAuthTime: true,
      maxEventAgeSeconds: 86_400,
      push: { path: '/ssf/events', maxBytes: 65_536 },
      replicas: {
        resyncIntervalMs: 5000,
        maxStalenessMs: 15_000,
        whenStale: 'refuse',
        loadTimeoutMs: 10_000,
      },
      transmitters: [
        {
          issuer: transmitter.issuer,
          jwksUri: transmitter.jwksUri,
          audiences: [transmitter.audience],
          pushAuthorization: transmitter.pushAuthorization,
          tokenIssuers: [transmitter.issuer],
          algorithms: ['RS256', 'PS256', 'ES256'],
        },
      ],
    });
  });

  it.each<[string, RevocationOptions, string]>([
    ['a zero lifetime', { maxTokenLifetimeSeconds: 0 }, 'revocation.maxTokenLifetimeSeconds'],
    ['a fractional bound', { maxEntries: 1.5 }, 'revocation.maxEntries'],
    ['a zero event age', { maxEventAgeSeconds: 0 }, 'revocation.maxEventAgeSeconds'],
    ['push without transmitters', { push: {} }, 'revocation.push needs'],
    [
      'a staleness bound under the resync interval',
      { replicas: { resyncIntervalSeconds: 10, maxStalenessSeconds: 5 } },
      'revocation.replicas.maxStalenessSeconds',
    ],
    [
      'an unknown stale policy',
      { replicas: { whenStale: 'ignore' as 'accept' } },
      'revocation.replicas.whenStale',
    ],
    [
      'a zero load timeout',
      { replicas: { loadTimeoutSeconds: 0 } },
      'revocation.replicas.loadTimeoutSeconds',
    ],
    [
      'a relative push path',
      { push: { path: 'ssf' }, transmitters: [transmitter] },
      'revocation.push.path',
    ],
    [
      'push without an Authorization value',
      { push: {}, transmitters: [{ ...transmitter, pushAuthorization: undefined }] },
      'each need a pushAuthorization',
    ],
    [
      'a short Authorization value',
      { transmitters: [{ ...transmitter, pushAuthorization: 'Bearer x' }] },
      'transmitters[0].pushAuthorization',
    ],
    [
      'two transmitters sharing one',
      {
        push: {},
        transmitters: [transmitter, { ...transmitter, issuer: 'https://other.example' }],
      },
      'share a pushAuthorization',
    ],
    ['an issuer twice', { transmitters: [transmitter, transmitter] }, 'lists an issuer twice'],
    [
      'a jwksUri that is not http(s)',
      { transmitters: [{ ...transmitter, jwksUri: 'file:///k' }] },
      'jwksUri',
    ],
    ['no audience', { transmitters: [{ ...transmitter, audience: [] }] }, 'audience'],
    [
      'a symmetric algorithm',
      { transmitters: [{ ...transmitter, algorithms: ['HS256' as never] }] },
      'algorithms',
    ],
  ])('refuses %s at startup', (_what, options, message) => {
    expect(() => revocationSettingsOf(options)).toThrow(OidcAuthConfigError);
    expect(() => revocationSettingsOf(options)).toThrow(message);
  });

  describe('discovery, poll and streams', () => {
    const tokenClient = { getAppToken: () => Promise.resolve('t') };
    const bearer = { bearer: 'stream-token' };
    const discovered = { issuer: 'https://ssf.example', audience: 'https://api.example' };

    it('discovers the keys of a transmitter named by its issuer only', () => {
      const [settings] = revocationSettingsOf({ transmitters: [discovered] }).transmitters;
      expect(settings.jwksUri).toBeUndefined();
      expect(settings.issuer).toBe('https://ssf.example');
    });

    it('fills in the poll defaults of a managed poll stream', () => {
      const [settings] = revocationSettingsOf({
        transmitters: [{ ...discovered, authorization: bearer, stream: { delivery: 'poll' } }],
      }).transmitters;
      expect(settings.poll).toEqual({ maxEvents: 100, waitSeconds: 30, intervalMs: 5000 });
      expect(settings.stream).toEqual({ delivery: 'poll', description: 'nest-oidc-auth' });
    });

    it('takes a poll endpoint configured by hand, and push for the other transmitters', () => {
      const settings = revocationSettingsOf({
        push: {},
        transmitters: [
          transmitter,
          {
            ...discovered,
            issuer: 'https://polled.example',
            authorization: { tokenClient, scopes: ['ssf'] },
            poll: { endpoint: 'https://polled.example/poll', waitSeconds: 0, intervalSeconds: 2 },
          },
        ],
      });
      expect(settings.transmitters[1].poll).toEqual({
        endpoint: 'https://polled.example/poll',
        maxEvents: 100,
        waitSeconds: 0,
        intervalMs: 2000,
      });
    });

    it('takes a managed push stream', () => {
      const [settings] = revocationSettingsOf({
        push: {},
        transmitters: [
          {
            ...transmitter,
            authorization: bearer,
            stream: { delivery: 'push', pushEndpoint: 'https://api.example/ssf/events' },
          },
        ],
      }).transmitters;
      expect(settings.stream?.pushEndpoint).toBe('https://api.example/ssf/events');
      expect(settings.poll).toBeUndefined();
    });

    it.each<[string, RevocationOptions, string]>([
      [
        'discovery from an issuer that is no URL',
        { transmitters: [{ ...discovered, issuer: 'ssf' }] },
        'transmitters[0].issuer',
      ],
      [
        'a stream without authorization',
        { transmitters: [{ ...discovered, stream: { delivery: 'poll' } }] },
        'transmitters[0].authorization',
      ],
      [
        'a poll without authorization',
        { transmitters: [{ ...discovered, poll: { endpoint: 'https://ssf.example/poll' } }] },
        'transmitters[0].authorization',
      ],
      [
        'an authorization that is neither',
        {
          transmitters: [
            { ...discovered, authorization: {} as never, stream: { delivery: 'poll' } },
          ],
        },
        'transmitters[0].authorization',
      ],
      [
        'a poll with no endpoint and no stream',
        { transmitters: [{ ...discovered, authorization: bearer, poll: {} }] },
        'transmitters[0].poll.endpoint',
      ],
      [
        'a push stream without the push endpoint',
        {
          push: {},
          transmitters: [{ ...transmitter, authorization: bearer, stream: { delivery: 'push' } }],
        },
        'stream.pushEndpoint',
      ],
      [
        'a push stream without revocation.push',
        {
          transmitters: [
            {
              ...transmitter,
              authorization: bearer,
              stream: { delivery: 'push', pushEndpoint: 'https://api.example/ssf/events' },
            },
          ],
        },
        'revocation.push must be set',
      ],
      [
        'a push stream without pushAuthorization',
        {
          push: {},
          transmitters: [
            {
              ...discovered,
              authorization: bearer,
              stream: { delivery: 'push', pushEndpoint: 'https://api.example/ssf/events' },
            },
          ],
        },
        'transmitters[0].pushAuthorization',
      ],
      [
        'a push stream with a poll',
        {
          push: {},
          transmitters: [
            {
              ...transmitter,
              authorization: bearer,
              poll: {},
              stream: { delivery: 'push', pushEndpoint: 'https://api.example/ssf/events' },
            },
          ],
        },
        'contradicts stream.delivery',
      ],
      [
        'an unknown delivery',
        {
          transmitters: [
            { ...discovered, authorization: bearer, stream: { delivery: 'email' as never } },
          ],
        },
        'stream.delivery',
      ],
      [
        'too many events per poll',
        {
          transmitters: [
            {
              ...discovered,
              authorization: bearer,
              stream: { delivery: 'poll' },
              poll: { maxEvents: 0 },
            },
          ],
        },
        'poll.maxEvents',
      ],
      [
        'an endless long poll',
        {
          transmitters: [
            {
              ...discovered,
              authorization: bearer,
              stream: { delivery: 'poll' },
              poll: { waitSeconds: 3600 },
            },
          ],
        },
        'poll.waitSeconds',
      ],
    ])('refuses %s at startup', (_what, options, message) => {
      expect(() => revocationSettingsOf(options)).toThrow(OidcAuthConfigError);
      expect(() => revocationSettingsOf(options)).toThrow(message);
    });
  });
});
