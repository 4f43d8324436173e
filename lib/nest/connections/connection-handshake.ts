import { OidcAuthError } from '../../protocol/errors/errors.js';
import type { BearerErrorResponse } from '../../protocol/bearer/rfc6750.js';
import type { CertificateCarrier } from '../../protocol/mtls/client-certificate.js';
import { bearerOnly } from '../sender-constraint/dpop-gate.js';
import type { Authenticated, OidcAuthenticator } from '../authentication/oidc-authenticator.js';
import type { Authentication } from '../transports/transport.js';

export type HandshakeOutcome =
  | { authentication: Authentication; refusal?: undefined }
  | { authentication?: undefined; refusal: BearerErrorResponse };

// Every handshake opens a WebSocket (plain, socket.io or graphql-ws): that is its transport.
const HANDSHAKE_TRANSPORT = 'ws';

/**
 * Authenticates the handshake of a long-lived connection (WebSocket upgrade, socket.io connect,
 * graphql-ws `connection_init`). Refusals are logged and reported like any refused call. By
 * default the token is a bearer token, so a DPoP-bound one is refused; a handshake that is an HTTP
 * request passes `authenticate` to take DPoP proofs (`DPoPGate`).
 */
export async function authenticateHandshake(
  authenticator: OidcAuthenticator,
  call: string,
  token: () => string,
  /** The upgrade request, whose client certificate a certificate-bound token must match. */
  carrier: CertificateCarrier | undefined,
  authenticate: (token: () => string) => Authenticated | Promise<Authenticated> = async (t) =>
    bearerOnly(await authenticator.authenticate(t(), carrier)),
): Promise<HandshakeOutcome> {
  try {
    const authenticated = await authenticate(token);
    authenticator.allowed(HANDSHAKE_TRANSPORT, call, authenticated);
    return { authentication: authenticated };
  } catch (err) {
    if (!(err instanceof OidcAuthError)) throw err;
    return { refusal: authenticator.refused(HANDSHAKE_TRANSPORT, call, err, undefined) };
  }
}

// setTimeout fires at once beyond this; a token that lives longer (24.8 days) is still checked on
// every message by the guard.
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** Calls `end` when the authentication runs out. Returns the function that cancels it. */
export function endOnExpiry(authentication: Authentication, end: () => void): () => void {
  const delay = Math.max(0, authentication.validUntil - Date.now());
  if (delay > LONGEST_TIMER_MS) return () => undefined;
  const timer = setTimeout(end, delay);
  timer.unref();
  return () => clearTimeout(timer);
}

/**
 * Calls `end` with why, once, when the authentication runs out or its token is revoked (within a
 * turn of the event loop of the revocation reaching this replica). Returns the function that
 * cancels both, for when the connection closes.
 */
export function endWhenInvalid(
  authenticator: OidcAuthenticator,
  authentication: Authentication,
  end: (reason: string) => void,
): () => void {
  let ended = false;
  const once = (reason: string): void => {
    if (ended) return;
    ended = true;
    cancel();
    end(reason);
  };
  const expiry = endOnExpiry(authentication, () => once('The access token expired'));
  const revocation = authenticator.onRevoked(authentication, once);
  const cancel = (): void => {
    expiry();
    revocation();
  };
  return cancel;
}
