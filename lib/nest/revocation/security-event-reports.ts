import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { SecurityEventErrorCode } from '../../protocol/errors/errors.js';
import type { SecurityEventReceipt } from '../../core/revocation/security-event-receiver.js';
import { REVOCATION_EVENTS } from '../../core/revocation/security-events.js';
import { OidcAuthEvents, type SecurityEventOutcome } from '../observability/oidc-auth.events.js';
import { OidcAuthTelemetry } from '../observability/oidc-auth.telemetry.js';
import { RefusalLogLimiter } from '../observability/refusal-log-limiter.js';
import { OIDC_AUTH_OPTIONS, type OidcAuthModuleOptions } from '../options/oidc-auth.options.js';
import { loggable } from '../transports/transport.js';

// Event types logged as ignored: each once, and no more than this many, whatever transmitters send.
const MAX_IGNORED_TYPES = 256;

/**
 * What became of each Security Event Token received, however it came (push, poll): a log line,
 * a `securityEvents$` event, the `oidc_auth.security_events` counter. Made for floods: rejections
 * are logged at most once per RFC 8935 code per `refusalLogIntervalMs`, an event type acknowledged
 * and ignored once per type (256 types at most), and the metric's attributes are the configured
 * transmitters, the known event names (`other` for the rest) and the six error codes: what a SET
 * says before it is verified never becomes a log key, a set member or a time series.
 */
@Injectable()
export class SecurityEventReports {
  private readonly logger = new Logger('OidcAuthRevocation');
  private readonly rejections: RefusalLogLimiter<string>;
  private readonly ignoredTypes = new Set<string>();

  constructor(
    @Inject(OIDC_AUTH_OPTIONS) options: OidcAuthModuleOptions,
    private readonly events: OidcAuthEvents,
    @Optional() private readonly telemetry?: OidcAuthTelemetry,
  ) {
    this.rejections = new RefusalLogLimiter(options.refusalLogIntervalMs ?? 10_000);
  }

  /** A SET verified and taken in: applied, ignored, or a duplicate of one already applied. */
  received(receipt: SecurityEventReceipt): void {
    const issuer = loggable(receipt.issuer);
    const name = eventName(receipt.type);
    if (receipt.outcome === 'applied') {
      this.logger.log(`Applied ${name} from ${issuer} (jti ${loggable(receipt.jti)})`);
    } else if (
      receipt.outcome === 'ignored' &&
      !this.ignoredTypes.has(receipt.type) &&
      this.ignoredTypes.size < MAX_IGNORED_TYPES
    ) {
      this.ignoredTypes.add(receipt.type);
      this.logger.log(
        `Acknowledged and ignored ${loggable(receipt.type)} from ${issuer}: not an event or subject revocation acts on (logged once per type)`,
      );
    }
    this.report(receipt.outcome, receipt.issuer, name, undefined, {
      type: receipt.type,
      jti: receipt.jti,
    });
  }

  /** A SET refused with an RFC 8935 §2.3 code; `transmitter` once the delivery authenticated. */
  rejected(
    code: SecurityEventErrorCode,
    description: string,
    transmitter: string | undefined,
  ): void {
    const unlogged = this.rejections.admit(code);
    if (unlogged !== undefined) {
      this.logger.warn(`Refused a SET: ${code}: ${loggable(description)}${unlogged}`);
    }
    this.report('rejected', transmitter, undefined, code, { description });
  }

  /** A SET that could not be checked now (keys or store unreachable): the transmitter retries. */
  unavailable(cause: unknown, transmitter: string | undefined): void {
    const unlogged = this.rejections.admit('unavailable');
    if (unlogged !== undefined) {
      const text = cause instanceof Error ? cause.message : String(cause);
      this.logger.error(`A SET could not be checked: ${loggable(text)}${unlogged}`);
    }
    this.report('unavailable', transmitter, undefined, undefined, {});
  }

  private report(
    outcome: SecurityEventOutcome,
    transmitter: string | undefined,
    name: string | undefined,
    error: SecurityEventErrorCode | undefined,
    detail: { type?: string; jti?: string; description?: string },
  ): void {
    this.telemetry?.securityEvent(outcome, transmitter, name, error);
    if (!this.events.observesSecurityEvents) return;
    this.events.emitSecurityEvent({
      outcome,
      ...(transmitter !== undefined && { transmitter }),
      ...detail,
      ...(error !== undefined && { error }),
    });
  }
}

/** The short name of an event revocation knows, `other` for the rest (a bounded attribute). */
function eventName(type: string): string {
  return Object.prototype.hasOwnProperty.call(REVOCATION_EVENTS, type)
    ? REVOCATION_EVENTS[type as keyof typeof REVOCATION_EVENTS]
    : 'other';
}
