import { InvalidTokenError } from '../../protocol/errors/errors.js';
import type { TokenVerifier } from '../../core/jwt/token-verifier.js';
import type { Authentication } from '../transports/transport.js';

export const ISSUER_NO_LONGER_TRUSTED = 'The token issuer is no longer trusted';

/**
 * Re-checks, for each message of a long-lived connection (WebSocket, graphql-ws), that the issuer
 * of the token it was opened with is still trusted: a tenant removed from the `issuerResolver` must
 * not keep its connections until their tokens expire. It is refused, and `end` closes its
 * connection, at its first message after its approval ran out (`resolverCache.ttlMs`). A resolver
 * that fails refuses the message (503) but keeps the connection: it cannot say the issuer went.
 */
export function recheckConnectionTrust(
  verifier: TokenVerifier,
  established: Authentication,
  end: (reason: string) => void,
): void | Promise<void> {
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
