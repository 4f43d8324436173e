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
});
