/**
 * The `ws` WebSocket adapter that authenticates every connection at its upgrade request.
 *
 * @module nest-oidc-auth/ws
 */
export { OidcWsAdapter } from './oidc-ws.adapter.js';
export type { OidcWsAdapterOptions } from './oidc-ws.adapter.js';
