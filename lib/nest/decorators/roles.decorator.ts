import { SetMetadata } from '@nestjs/common';
import { ANY_ROLE_KEY, ROLES_KEY } from './metadata-keys.js';
import { requirementList } from './requirement-list.js';

/** All listed roles are required. On a controller and a handler, both lists apply (merged). */
export const Roles = (...roles: string[]) =>
  SetMetadata(ROLES_KEY, requirementList('Roles', roles));

/**
 * At least one of the listed roles is required. A controller's and a handler's `@AnyRole` are
 * separate requirements, both of which must be met, and they add to any `@Roles`.
 */
export const AnyRole = (...roles: string[]) =>
  SetMetadata(ANY_ROLE_KEY, requirementList('AnyRole', roles));
