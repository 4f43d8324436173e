import { Injectable, Optional } from '@nestjs/common';
import { OidcAuthConfigError } from '../../core/config/config-error.js';
import { SharedRevocations } from '../../core/revocation/shared-revocations.js';

/** What `OidcRevocations` revokes: a user, one session (`sid`), or a client. */
export type RevocationKind = 'subject' | 'session' | 'client';

/**
 * Revocation by the application, for logout endpoints, admin consoles and incident response:
 * applies to the same list as the identity provider's events, so a token issued before the call
 * is refused on its next request, cached or not, and its open connections are closed. Needs the
 * module's `revocation` option; without it every method throws, rather than leaving a token the
 * caller believes revoked alive.
 *
 * With a shared store (the Redis store) the change reaches every replica: each method resolves
 * once it is in the store. When the store cannot be reached it rejects, and the change holds on
 * this replica only.
 */
@Injectable()
export class OidcRevocations {
  constructor(@Optional() private readonly revocations?: SharedRevocations) {}

  /** Refuses the user's tokens issued before now (or `at`), from every session and client. */
  revokeSubject(issuer: string, subject: string, at?: Date): Promise<void> {
    return this.revoke('subject', issuer, subject, at);
  }

  /** Refuses the tokens of one session (their `sid` claim) issued before now (or `at`). */
  revokeSession(issuer: string, sessionId: string, at?: Date): Promise<void> {
    return this.revoke('session', issuer, sessionId, at);
  }

  /** Refuses the tokens issued to a client (`client_id`, `azp`, ...) before now (or `at`). */
  revokeClient(issuer: string, clientId: string, at?: Date): Promise<void> {
    return this.revoke('client', issuer, clientId, at);
  }

  /**
   * Forgets every revocation of that user, session or client, a disabled account included: its
   * unexpired tokens are accepted again. True when this replica held one.
   */
  async restore(kind: RevocationKind, issuer: string, value: string): Promise<boolean> {
    const revocations = this.enabled();
    const target = { scope: kind, issuer, value };
    const held = revocations.list.holds(target);
    await revocations.apply([{ action: 'restore', target }]);
    return held;
  }

  private async revoke(
    kind: RevocationKind,
    issuer: string,
    value: string,
    at: Date | undefined,
  ): Promise<void> {
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
    await this.enabled().apply([
      {
        action: 'revoke',
        target: { scope: kind, issuer, value },
        notBefore,
        basis: 'iat',
        cause: `${kind}-revoked`,
        details: { issuedAt: Date.now() / 1000 },
      },
    ]);
  }

  private enabled(): SharedRevocations {
    if (!this.revocations) {
      throw new OidcAuthConfigError('revocation', 'must be set for OidcRevocations to revoke');
    }
    return this.revocations;
  }
}
