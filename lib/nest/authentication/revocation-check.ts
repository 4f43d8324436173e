import { InvalidTokenError, RevocationsUnavailableError } from '../../protocol/errors/errors.js';
import type { OidcPrincipal } from '../../core/claims/principal.js';
import type { RevocationList } from '../../core/revocation/revocation-list.js';

/**
 * Refuses a principal whose token was revoked: 401 `invalid_token`, reason `token_revoked`, the
 * description naming what revoked it (`session-revoked`, `account-disabled` ...), never whom.
 * While the list is stale (a shared list out of reach for too long, `whenStale: 'refuse'`), a token
 * it does not refuse is answered 503 `revocations_unavailable`: what the replica holds is still
 * enforced, what it may have missed is not guessed. Without the `revocation` option, or with an
 * empty and current list, it costs a comparison.
 */
export function refuseRevoked(
  revocations: RevocationList | null | undefined,
  principal: OidcPrincipal,
): void {
  if (!revocations) return;
  const cause = revocations.refusalOf(
    principal.issuer,
    principal.subject,
    principal.clientId,
    principal.claims,
  );
  if (cause === undefined) {
    const stale = revocations.stale;
    if (stale) throw new RevocationsUnavailableError(principal.issuer, stale.retryAfterSeconds);
    return;
  }
  const err = new InvalidTokenError('token_revoked', `The token was revoked (${cause})`);
  err.issuer = principal.issuer;
  throw err;
}
