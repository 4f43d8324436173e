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
});
