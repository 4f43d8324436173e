export { OidcWsAdapter } from './oidc-ws.adapter.js';
export type { OidcWsAdapterOptions } from './oidc-ws.adapter.js';
