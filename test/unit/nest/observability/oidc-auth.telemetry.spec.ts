import { OidcAuthTelemetry } from '../../../../lib/nest/observability/oidc-auth.telemetry.js';
import { TestTelemetry } from '../../../support/telemetry-sdk.js';

describe('OidcAuthTelemetry', () => {
  it('binds to nothing while no SDK has registered a provider: no instrument, no timing', async () => {
    const telemetry = await OidcAuthTelemetry.create();
    expect(telemetry.countsDecisions).toBe(false);
    expect(telemetry.startVerification()).toBeUndefined();
  });

  it('binds to the meter and tracer providers registered before it is created', async () => {
    const sdk = TestTelemetry.register();
    try {
      const telemetry = await OidcAuthTelemetry.create();
      expect(telemetry.countsDecisions).toBe(true);
      telemetry.keysFetched('https://issuer.example', 'failure');
      telemetry.startVerification()!.failed(new Error('not an OidcAuthError'));
      expect(await sdk.points('oidc_auth.jwks.fetches')).toEqual([
        { attributes: { issuer: 'https://issuer.example', outcome: 'failure' }, value: 1 },
      ]);
      expect(sdk.spans('oidc_auth.verify').map((s) => s.attributes)).toEqual([
        { outcome: 'failure' },
      ]);
    } finally {
      await sdk.unregister();
    }
  });

  it('counts revoked-token refusals by event and records a lag only when one is given', async () => {
    const sdk = TestTelemetry.register();
    try {
      const telemetry = await OidcAuthTelemetry.create();
      telemetry.revocationEnforced('session-revoked', 'https://issuer.example', 0.25);
      telemetry.revocationEnforced('session-revoked', 'https://issuer.example');
      const attributes = { event: 'session-revoked', issuer: 'https://issuer.example' };
      expect(await sdk.points('oidc_auth.revocation.refusals')).toEqual([{ attributes, value: 2 }]);
      const lag = await sdk.points<{ count: number; sum: number }>('oidc_auth.revocation.lag');
      expect(lag.map((p) => [p.attributes, p.value.count, p.value.sum])).toEqual([
        [attributes, 1, 0.25],
      ]);
    } finally {
      await sdk.unregister();
    }
  });
});
