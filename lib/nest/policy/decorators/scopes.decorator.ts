import { appendMetadata } from './append-metadata.js';
import { ANY_SCOPE_KEY, SCOPES_KEY } from './metadata-keys.js';
import { requirementList } from './requirement-list.js';

/**
 * All listed scopes are required. On a controller and a handler, both lists apply (merged), and so
 * do several `@Scopes` on one target. Matching is exact per space-separated item:
 * `notes:writer` never satisfies `notes:write`.
 */
export const Scopes = (...scopes: string[]) =>
  appendMetadata(SCOPES_KEY, requirementList('Scopes', scopes));

/**
 * At least one of the listed scopes is required. Each `@AnyScope`, on a controller or a handler,
 * is a separate requirement that must be met, in addition to any `@Scopes`.
 */
export const AnyScope = (...scopes: string[]) =>
  appendMetadata(ANY_SCOPE_KEY, [requirementList('AnyScope', scopes)]);
