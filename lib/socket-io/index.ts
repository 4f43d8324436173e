export { OidcIoAdapter } from './oidc-io.adapter.js';
export type { OidcIoAdapterOptions } from './oidc-io.adapter.js';
