import { RevocationsUnavailableError, TokenRevokedError } from '../../protocol/errors/errors.js';
import type { OidcPrincipal } from '../../core/claims/principal.js';
import type { RevocationList } from '../../core/revocation/revocation-list.js';

/** The client capability of Entra clients that handle CAE claims challenges (`xms_cc`). */
const CLAIMS_CHALLENGE_CAPABILITY = 'cp1';

/**
 * Refuses a principal whose token was revoked: a `TokenRevokedError` (reason `token_revoked`)
 * naming what revoked it (`session-revoked`, `account-disabled` ...), never whom; `protocol/bearer`
 * turns it into the answer that tells the client what to do. While the list is stale (a shared list
 * out of reach for too long, `whenStale: 'refuse'`), a token it does not refuse is answered 503
 * `revocations_unavailable`: what the replica holds is still enforced, what it may have missed is
 * not guessed. Without the `revocation` option, or with an empty and current list, it costs a
 * comparison.
 */
export function refuseRevoked(
  revocations: RevocationList | null | undefined,
  principal: OidcPrincipal,
  now: number = Date.now(),
): void {
  if (!revocations) return;
  const revocation = revocations.refusalOf(
    principal.issuer,
    principal.subject,
    principal.clientId,
    principal.claims,
  );
  if (revocation === undefined) {
    const stale = revocations.stale;
    if (stale) throw new RevocationsUnavailableError(principal.issuer, stale.retryAfterSeconds);
    return;
  }
  const { cause, notBefore, issuedAt, level } = revocation;
  const lagSeconds =
    issuedAt !== undefined && revocations.firstRefusal(revocation)
      ? Math.max(0, now / 1000 - issuedAt)
      : undefined;
  const err = new TokenRevokedError(cause, notBefore, {
    currentLevel: level,
    claimsChallenge: principal.clientCapabilities.includes(CLAIMS_CHALLENGE_CAPABILITY),
    lagSeconds,
  });
  err.issuer = principal.issuer;
  throw err;
}
