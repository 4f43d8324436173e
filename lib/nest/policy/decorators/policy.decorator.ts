import { appendMetadata } from './append-metadata.js';
import { requirementList } from './requirement-list.js';

export const POLICIES_KEY = 'oidc-auth:policies';
export const ANY_POLICY_KEY = 'oidc-auth:any-policy';

/**
 * All the named policies must grant the call. Merged like `@Scopes`: a controller's and a
 * handler's policies both apply, and so do several `@Policy` on one target. Every name must be
 * registered (`forRoot({ policies })` or an `@AuthPolicy` provider), or the application does not start.
 */
export const Policy = (...names: string[]) =>
  appendMetadata(POLICIES_KEY, requirementList('Policy', names));

/**
 * At least one of the named policies must grant the call. Each `@AnyPolicy`, on a controller or a
 * handler, is one more requirement, in addition to any `@Policy`.
 */
export const AnyPolicy = (...names: string[]) =>
  appendMetadata(ANY_POLICY_KEY, [requirementList('AnyPolicy', names)]);
