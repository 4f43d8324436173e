export { OidcAuthHealthIndicator } from './oidc-auth.health.js';
export type { IssuerHealth } from './oidc-auth.health.js';
