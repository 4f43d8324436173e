import { Logger } from '@nestjs/common';
import { OidcAuthEvents } from '../../../../lib/nest/observability/oidc-auth.events.js';
import type { SecurityEventReport } from '../../../../lib/nest/observability/oidc-auth.events.js';
import { OidcAuthTelemetry } from '../../../../lib/nest/observability/oidc-auth.telemetry.js';
import { SecurityEventReports } from '../../../../lib/nest/revocation/security-event-reports.js';
import { RecordingLogger } from '../../../support/recording-logger.js';
import { TestTelemetry } from '../../../support/telemetry-sdk.js';

const TRANSMITTER = 'https://ssf.idp.example';
const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';

describe('SecurityEventReports', () => {
  let logger: RecordingLogger;

  beforeEach(() => {
    logger = new RecordingLogger();
    Logger.overrideLogger(logger);
  });

  afterEach(() => {
    Logger.overrideLogger(false);
  });

  it('logs a flood of bad SETs once per RFC 8935 code per interval, whatever they say', () => {
    const reports = new SecurityEventReports({ issuers: [] }, new OidcAuthEvents());
    for (let i = 0; i < 5000; i += 1) {
      reports.rejected('invalid_request', `junk ${i}`, undefined);
      reports.rejected('invalid_key', 'The SET signature is invalid', TRANSMITTER);
      reports.unavailable(new Error(`down ${i}`), TRANSMITTER);
    }
    expect(logger.lines).toEqual([
      'warn Refused a SET: invalid_request: junk 0',
      'warn Refused a SET: invalid_key: The SET signature is invalid',
      'error A SET could not be checked: down 0',
    ]);
  });

  it('logs each ignored event type once, and remembers no more than 256 types', () => {
    const reports = new SecurityEventReports({ issuers: [] }, new OidcAuthEvents());
    const ignored = (type: string) =>
      reports.received({ outcome: 'ignored', issuer: TRANSMITTER, jti: 'j', type, changes: [] });
    for (let round = 0; round < 2; round += 1) {
      for (let i = 0; i < 1000; i += 1) ignored(`urn:example:event:${i}`);
    }
    const lines = logger.messages().filter((m) => m.startsWith('Acknowledged and ignored'));
    expect(lines).toHaveLength(256);
    expect(new Set(lines).size).toBe(256);
  });

  it('reports every SET to securityEvents$ subscribers, with the type URI only once verified', () => {
    const events = new OidcAuthEvents();
    const seen: SecurityEventReport[] = [];
    events.securityEvents$.subscribe((e) => seen.push(e));
    const reports = new SecurityEventReports({ issuers: [] }, events);
    reports.received({
      outcome: 'applied',
      issuer: TRANSMITTER,
      jti: 'j1',
      type: SESSION_REVOKED,
      changes: [],
    });
    reports.rejected(
      'authentication_failed',
      'The Authorization header is missing or wrong',
      undefined,
    );
    expect(seen).toEqual([
      { outcome: 'applied', transmitter: TRANSMITTER, type: SESSION_REVOKED, jti: 'j1' },
      {
        outcome: 'rejected',
        error: 'authentication_failed',
        description: 'The Authorization header is missing or wrong',
      },
    ]);
  });

  it('counts SETs by outcome, transmitter, known event name and error code: bounded attributes', async () => {
    const sdk = TestTelemetry.register();
    try {
      const reports = new SecurityEventReports(
        { issuers: [] },
        new OidcAuthEvents(),
        await OidcAuthTelemetry.create(),
      );
      const receipt = { issuer: TRANSMITTER, jti: 'j', changes: [] };
      reports.received({ ...receipt, outcome: 'applied', type: SESSION_REVOKED });
      reports.received({ ...receipt, outcome: 'duplicate', type: SESSION_REVOKED });
      for (let i = 0; i < 20; i += 1) {
        reports.received({ ...receipt, outcome: 'ignored', type: `urn:example:${i}` });
      }
      reports.rejected('invalid_key', 'bad', TRANSMITTER);
      reports.rejected('authentication_failed', 'who', undefined);
      expect(await sdk.points('oidc_auth.security_events')).toEqual(
        expect.arrayContaining([
          {
            attributes: { outcome: 'applied', transmitter: TRANSMITTER, type: 'session-revoked' },
            value: 1,
          },
          {
            attributes: { outcome: 'duplicate', transmitter: TRANSMITTER, type: 'session-revoked' },
            value: 1,
          },
          {
            attributes: { outcome: 'ignored', transmitter: TRANSMITTER, type: 'other' },
            value: 20,
          },
          {
            attributes: { outcome: 'rejected', transmitter: TRANSMITTER, error: 'invalid_key' },
            value: 1,
          },
          { attributes: { outcome: 'rejected', error: 'authentication_failed' }, value: 1 },
        ]),
      );
      expect(await sdk.points('oidc_auth.security_events')).toHaveLength(5);
    } finally {
      await sdk.unregister();
    }
  });
});
