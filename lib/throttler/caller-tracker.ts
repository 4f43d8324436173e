import type { OidcPrincipal } from '../core/claims/principal.js';

/**
 * The rate-limit key of a verified caller: the client for an app-only token, the user (issuer and
 * subject) otherwise, so a user keeps one budget whichever client calls for them. JSON keeps the
 * parts apart: no issuer, subject or client id can be crafted to spell another caller's key, nor
 * an IP address (the key of unauthenticated calls).
 */
export function callerTracker(principal: OidcPrincipal): string {
  return principal.isAppOnly && principal.clientId !== undefined
    ? JSON.stringify(['client', principal.issuer, principal.clientId])
    : JSON.stringify(['user', principal.issuer, principal.subject]);
}
