import { Injectable } from '@nestjs/common';
import { type Observable, Subject } from 'rxjs';
import type { RefusalReason } from '../../protocol/errors/errors.js';

/** One authentication decision, for metrics. Never holds the token. */
export interface AuthEvent {
  outcome: 'allowed' | 'refused';
  /** `METHOD /route/pattern`, without the query string. */
  route: string;
  status?: number;
  reason?: RefusalReason;
  /** For `token_revoked`: what revoked the token (`session-revoked`, `account-disabled` ...). */
  revokedBy?: string;
  issuer?: string;
  subject?: string;
  clientId?: string;
  /** True when the token was found in the verified-token cache. */
  cached?: boolean;
}

/**
 * What became of a Security Event Token delivered to this receiver: `applied` to the revocation
 * list, `ignored` (an event or subject revocation does not act on), `duplicate` (a `jti` seen
 * before), `rejected` (answered with an RFC 8935 §2.3 error code), `unavailable` (the
 * transmitter's keys or the store could not be reached: it retries).
 */
export type SecurityEventOutcome = 'applied' | 'ignored' | 'duplicate' | 'rejected' | 'unavailable';

/** One Security Event Token delivered to this receiver, for metrics and audit. Never the SET. */
export interface SecurityEventReport {
  outcome: SecurityEventOutcome;
  /** The configured transmitter the delivery authenticated as, once it did. */
  transmitter?: string;
  /** The event type URI, once the SET is verified. */
  type?: string;
  /** The SET's `jti`, once it is verified. */
  jti?: string;
  /** A rejected SET's RFC 8935 §2.3 error code, and what was wrong. */
  error?: string;
  description?: string;
}

/**
 * Every decision of the guard as an RxJS stream: `events.events$.subscribe(...)` to count
 * refusals and successes; every Security Event Token received, in `securityEvents$`. Events are
 * only built while someone subscribes.
 */
@Injectable()
export class OidcAuthEvents {
  private readonly subject = new Subject<AuthEvent>();
  private readonly securityEventSubject = new Subject<SecurityEventReport>();
  readonly events$: Observable<AuthEvent> = this.subject.asObservable();
  readonly securityEvents$: Observable<SecurityEventReport> =
    this.securityEventSubject.asObservable();

  get observed(): boolean {
    return this.subject.observed;
  }

  emit(event: AuthEvent): void {
    this.subject.next(event);
  }

  get observesSecurityEvents(): boolean {
    return this.securityEventSubject.observed;
  }

  emitSecurityEvent(report: SecurityEventReport): void {
    this.securityEventSubject.next(report);
  }
}
