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
  issuer?: string;
  subject?: string;
  clientId?: string;
  /** True when the token was found in the verified-token cache. */
  cached?: boolean;
}

/**
 * Every decision of the guard as an RxJS stream: `events.events$.subscribe(...)` to count
 * refusals and successes. Events are only built while someone subscribes.
 */
@Injectable()
export class OidcAuthEvents {
  private readonly subject = new Subject<AuthEvent>();
  readonly events$: Observable<AuthEvent> = this.subject.asObservable();

  get observed(): boolean {
    return this.subject.observed;
  }

  emit(event: AuthEvent): void {
    this.subject.next(event);
  }
}
