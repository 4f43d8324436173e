import { appendMetadata } from './append-metadata.js';
import { ANY_ROLE_KEY, ROLES_KEY } from './metadata-keys.js';
import { requirementList } from './requirement-list.js';

/** All listed roles are required, merged across controller, handler and stacked decorators. */
export const Roles = (...roles: string[]) =>
  appendMetadata(ROLES_KEY, requirementList('Roles', roles));

/**
 * At least one of the listed roles is required. Each `@AnyRole`, on a controller or a handler, is a
 * separate requirement that must be met, in addition to any `@Roles`.
 */
export const AnyRole = (...roles: string[]) =>
  appendMetadata(ANY_ROLE_KEY, [requirementList('AnyRole', roles)]);
