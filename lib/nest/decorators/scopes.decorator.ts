import { SetMetadata } from '@nestjs/common';
import { ANY_SCOPE_KEY, SCOPES_KEY } from './metadata-keys.js';
import { requirementList } from './requirement-list.js';

/**
 * All listed scopes are required. On a controller and a handler, both lists apply (merged).
 * Matching is exact per space-separated item: `notes:writer` never satisfies `notes:write`.
 */
export const Scopes = (...scopes: string[]) =>
  SetMetadata(SCOPES_KEY, requirementList('Scopes', scopes));

/**
 * At least one of the listed scopes is required. A controller's and a handler's `@AnyScope` are
 * separate requirements, both of which must be met, and they add to any `@Scopes`.
 */
export const AnyScope = (...scopes: string[]) =>
  SetMetadata(ANY_SCOPE_KEY, requirementList('AnyScope', scopes));
