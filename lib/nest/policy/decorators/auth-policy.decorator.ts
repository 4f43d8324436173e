import { type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { OidcPrincipal } from '../../../core/claims/principal.js';
import { requirementList } from './requirement-list.js';

export const AUTH_POLICY_KEY = 'oidc-auth:auth-policy';

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

/**
 * Registers an `OidcPolicy` provider under `name`. Declare the class as a provider of any module,
 * as usual; the module finds it at startup.
 */
export const AuthPolicy = (name: string) =>
  SetMetadata(AUTH_POLICY_KEY, requirementList('AuthPolicy', [name])[0]);
