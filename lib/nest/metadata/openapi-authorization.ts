import type { RoutePolicy } from '../policy/route-policy.js';

/** What OpenAPI's security requirements cannot say about an operation, as vendor extensions. */
export interface AuthorizationExtensions {
  /** Named policies: every inner list must grant the call through any one of its policies. */
  'x-oidc-policies'?: string[][];
  /** The only issuers whose tokens the operation takes. */
  'x-oidc-issuers'?: string[];
}

/** Sets (or clears, when the route has none) the operation's policy and issuer extensions. */
export function annotateAuthorization(
  operation: AuthorizationExtensions,
  policy: RoutePolicy,
): void {
  if (policy.policies) operation['x-oidc-policies'] = policy.policies.map((group) => [...group]);
  else delete operation['x-oidc-policies'];
  if (policy.issuers) operation['x-oidc-issuers'] = [...policy.issuers];
  else delete operation['x-oidc-issuers'];
}
