import { SetMetadata } from '@nestjs/common';
import { requirementList } from './requirement-list.js';

export const AUTH_POLICY_KEY = 'oidc-auth:auth-policy';

/**
 * Registers an `OidcPolicy` provider under `name`. Declare the class as a provider of any module,
 * as usual; the module finds it at startup.
 */
export const AuthPolicy = (name: string) =>
  SetMetadata(AUTH_POLICY_KEY, requirementList('AuthPolicy', [name])[0]);
