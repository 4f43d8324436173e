import type { ExecutionContext } from '@nestjs/common';
import type { OidcPrincipal } from '../../core/claims/principal.js';

/**
 * A named policy: grants the call only by returning (or resolving to) `true`; anything else denies.
 * It runs after authentication and the route's scopes and roles, on every transport, so `context`
 * is the call's own (`context.getType()` is `http`, `graphql`, `ws` or `rpc`). An exception it
 * throws is the application's error (a 500 over HTTP), never a refusal and never an allow.
 */
export type PolicyCheck = (
  principal: OidcPrincipal,
  context: ExecutionContext,
) => boolean | Promise<boolean>;

/** A policy as an injectable class, for checks that need other providers. */
export interface OidcPolicy {
  check(principal: OidcPrincipal, context: ExecutionContext): boolean | Promise<boolean>;
}
