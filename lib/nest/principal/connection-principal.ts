import type { OidcPrincipal } from '../../core/claims/principal.js';
import { authenticationOf } from '../transports/call-authentications.js';

/**
 * The principal a WebSocket or socket.io connection was authenticated as at its handshake, for
 * `handleConnection(client)` and other places without `@Principal()`.
 */
export function connectionPrincipal(client: object): OidcPrincipal | undefined {
  return authenticationOf(client)?.principal;
}
