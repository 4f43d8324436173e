import { InvalidTokenError } from '../../protocol/errors/errors.js';
import type { TokenVerifier } from '../../core/jwt/token-verifier.js';
import type { Authentication } from '../transports/transport.js';
import type { RevocationList } from '../../core/revocation/revocation-list.js';
import { refuseRevoked } from './revocation-check.js';

export const ISSUER_NO_LONGER_TRUSTED = 'The token issuer is no longer trusted';

/**
 * Re-checks, for each message of a long-lived connection (WebSocket, graphql-ws), that the token
 * it was opened with has not been revoked since, and that its issuer is still trusted: a tenant
 * removed from the `issuerResolver` must not keep its connections until their tokens expire. A
 * revoked token is refused, and `end` closes its connection, at its next message; an issuer, at
 * its first message after its approval ran out (`resolverCache.ttlMs`). A resolver that fails
 * refuses the message (503) but keeps the connection: it cannot say the issuer went.
 */
export function recheckConnectionTrust(
  verifier: TokenVerifier,
  established: Authentication,
  end: (reason: string) => void,
  revocations?: RevocationList | null,
): void | Promise<void> {
  try {
    refuseRevoked(revocations, established.principal);
  } catch (err) {
    // A stale list (503) keeps the connection, as a failing resolver does: it is not revoked.
    if (err instanceof InvalidTokenError) end(err.message);
    throw err;
  }
  const ended = (err: unknown): never => {
    if (err instanceof InvalidTokenError) end(ISSUER_NO_LONGER_TRUSTED);
    throw err;
  };
  let pending: void | Promise<void>;
  try {
    pending = verifier.recheckIssuer(established.principal.claims);
  } catch (err) {
    return ended(err);
  }
  return pending?.catch(ended);
}
