/**
 * `@nestjs/throttler` budgets per verified caller rather than per IP address.
 *
 * @module nest-oidc-auth/throttler
 */
export { callerTracker } from './caller-tracker.js';
export { OidcThrottlerGuard } from './oidc-throttler.guard.js';
