/**
 * The socket.io adapter that authenticates every connection at its handshake.
 *
 * @module nest-oidc-auth/socket.io
 */
export { OidcIoAdapter } from './oidc-io.adapter.js';
export type { OidcIoAdapterOptions } from './oidc-io.adapter.js';
