/**
 * A `@nestjs/terminus` readiness indicator of the trusted issuers' keys.
 *
 * @module nest-oidc-auth/health
 */
export { OidcAuthHealthIndicator } from './oidc-auth.health.js';
export type { IssuerHealth } from './oidc-auth.health.js';
