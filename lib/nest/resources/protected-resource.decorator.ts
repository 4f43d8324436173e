import { SetMetadata } from '@nestjs/common';

export const PROTECTED_RESOURCE_KEY = 'oidc-auth:protected-resource';

/**
 * Puts this handler, or every handler of this controller, under the resource `name` of the
 * module's `protectedResources`: only tokens for that resource's audience open it, and its
 * challenges point at that resource's metadata. A handler's own `@ProtectedResource` replaces its
 * controller's. Routes without one belong to the root resource (`protectedResource`). A name the
 * options do not define stops the application at startup.
 */
export const ProtectedResource = (name: string) => {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new TypeError(`@ProtectedResource() needs a resource name, got ${JSON.stringify(name)}`);
  }
  return SetMetadata(PROTECTED_RESOURCE_KEY, name);
};
