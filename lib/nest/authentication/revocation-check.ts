import { InvalidTokenError } from '../../protocol/errors/errors.js';
import type { OidcPrincipal } from '../../core/claims/principal.js';
import type { RevocationList } from '../../core/revocation/revocation-list.js';

/**
 * Refuses a principal whose token was revoked: 401 `invalid_token`, reason `token_revoked`, the
 * description naming what revoked it (`session-revoked`, `account-disabled` ...), never whom.
 * Without the `revocation` option, or with an empty list, it costs a comparison.
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
  if (cause === undefined) return;
  const err = new InvalidTokenError('token_revoked', `The token was revoked (${cause})`);
  err.issuer = principal.issuer;
  throw err;
}
