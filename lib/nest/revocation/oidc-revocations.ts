import { Injectable, Optional } from '@nestjs/common';
import { OidcAuthConfigError } from '../../core/config/config-error.js';
import { RevocationList } from '../../core/revocation/revocation-list.js';

/** What `OidcRevocations` revokes: a user, one session (`sid`), or a client. */
export type RevocationKind = 'subject' | 'session' | 'client';

/**
 * Revocation by the application, for logout endpoints, admin consoles and incident response:
 * applies to the same list as the identity provider's events, so a token issued before the call
 * is refused on its next request, cached or not, and on the next message of its open connection.
 * Needs the module's `revocation` option; without it every method throws, rather than leaving
 * a token the caller believes revoked alive.
 *
 * The list lives in this process: other replicas do not hear of a revocation made here yet.
 */
@Injectable()
export class OidcRevocations {
  constructor(@Optional() private readonly list?: RevocationList) {}

  /** Refuses the user's tokens issued before now (or `at`), from every session and client. */
  revokeSubject(issuer: string, subject: string, at?: Date): void {
    this.revoke('subject', issuer, subject, at);
  }

  /** Refuses the tokens of one session (their `sid` claim) issued before now (or `at`). */
  revokeSession(issuer: string, sessionId: string, at?: Date): void {
    this.revoke('session', issuer, sessionId, at);
  }

  /** Refuses the tokens issued to a client (`client_id`, `azp`, ...) before now (or `at`). */
  revokeClient(issuer: string, clientId: string, at?: Date): void {
    this.revoke('client', issuer, clientId, at);
  }

  /**
   * Forgets every revocation of that user, session or client, a disabled account included: its
   * unexpired tokens are accepted again. True when there was one.
   */
  restore(kind: RevocationKind, issuer: string, value: string): boolean {
    return this.enabled().restore({ scope: kind, issuer, value });
  }

  private revoke(kind: RevocationKind, issuer: string, value: string, at: Date | undefined): void {
    if (!issuer || !value) {
      throw new TypeError(
        `OidcRevocations: the issuer and the ${kind} to revoke must be non-empty`,
      );
    }
    const time = (at ?? new Date()).getTime();
    if (!Number.isFinite(time)) throw new TypeError('OidcRevocations: `at` is not a valid date');
    // Rounded up: a token issued earlier in this very second (its iat is whole seconds) is
    // refused too, at the price of one issued later in it.
    const notBefore = Math.ceil(time / 1000);
    this.enabled().revoke({ scope: kind, issuer, value }, notBefore, 'iat', `${kind}-revoked`, {
      issuedAt: Date.now() / 1000,
    });
  }

  private enabled(): RevocationList {
    if (!this.list) {
      throw new OidcAuthConfigError('revocation', 'must be set for OidcRevocations to revoke');
    }
    return this.list;
  }
}
