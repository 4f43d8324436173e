import { ConsoleLogger, Logger } from '@nestjs/common';
import type { SecurityEventReceipt } from '../../../../lib/core/revocation/security-event-receiver.js';
import { SecurityEventStreamState } from '../../../../lib/nest/revocation/security-event-stream-state.js';
import {
  STREAM_UPDATED_EVENT,
  VERIFICATION_EVENT,
} from '../../../../lib/protocol/ssf/stream-configuration.js';
import { RecordingLogger } from '../../../support/recording-logger.js';
import { SESSION_REVOKED } from '../../../support/security-events.js';

const ISSUER = 'https://ssf.example';

function receipt(
  type: string,
  payload: Record<string, unknown> = {},
  outcome: SecurityEventReceipt['outcome'] = 'ignored',
): SecurityEventReceipt {
  return {
    outcome,
    issuer: ISSUER,
    jti: `j-${Math.random()}`,
    type,
    payload,
    subject: { format: 'opaque', id: 's1' },
    changes: [],
  };
}

describe('SecurityEventStreamState', () => {
  let logger: RecordingLogger;
  let receipts: SecurityEventStreamState;

  beforeEach(() => {
    logger = new RecordingLogger();
    Logger.overrideLogger(logger);
    receipts = new SecurityEventStreamState();
  });

  afterEach(() => Logger.overrideLogger(new ConsoleLogger()));

  it('leaves the other events, and duplicates, alone', () => {
    receipts.track(ISSUER, 's1');
    receipts.received(receipt(SESSION_REVOKED, {}, 'applied'));
    receipts.received(receipt('https://example.com/event/one'));
    receipts.received(receipt(STREAM_UPDATED_EVENT, { status: 'paused' }, 'duplicate'));
    expect(receipts.stream(ISSUER)?.status).toBeUndefined();
    expect(logger.lines).toEqual([]);
  });

  it('matches the verification it asked for, and only that one', () => {
    receipts.track(ISSUER, 's1');
    receipts.expectVerification(ISSUER, 'state-1');
    receipts.received(receipt(VERIFICATION_EVENT, { state: 'someone-else' }));
    expect(receipts.stream(ISSUER)?.verified).toBe(false);
    receipts.received(receipt(VERIFICATION_EVENT, { state: 'state-1' }));
    expect(receipts.stream(ISSUER)).toMatchObject({ verified: true, verifying: undefined });
    expect(logger.lines).toEqual([
      `log The SSF stream of ${ISSUER} is verified: its events arrive`,
    ]);
  });

  it('records stream-updated statuses: paused as a warning, disabled as an error', () => {
    receipts.track(ISSUER, 's1');
    receipts.received(receipt(STREAM_UPDATED_EVENT, { status: 'paused', reason: 'upgrade' }));
    expect(receipts.stream(ISSUER)?.status).toBe('paused');
    receipts.received(receipt(STREAM_UPDATED_EVENT, { status: 'disabled' }));
    expect(receipts.stream(ISSUER)?.status).toBe('disabled');
    receipts.received(receipt(STREAM_UPDATED_EVENT, { status: 'enabled' }));
    expect(receipts.stream(ISSUER)?.status).toBe('enabled');
    receipts.received(receipt(STREAM_UPDATED_EVENT, { status: 'exploded' }));
    expect(receipts.stream(ISSUER)?.status).toBe('enabled');
    expect(logger.entries.map((e) => e.level)).toEqual(['warn', 'error', 'log', 'warn']);
    expect(logger.messages()[0]).toContain('is paused (upgrade)');
    expect(logger.messages()[3]).toContain('has no valid status');
  });
});
