export { callerTracker } from './caller-tracker.js';
export { OidcThrottlerGuard } from './oidc-throttler.guard.js';
