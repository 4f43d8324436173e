import { SetMetadata } from '@nestjs/common';
import {
  type AuthenticationRequirement,
  authenticationRequirement,
} from '../authentication-requirement.js';
import { AUTHENTICATION_KEY } from './metadata-keys.js';

/**
 * Step-up authentication (RFC 9470): the user must have authenticated with one of the `acr`
 * values, and/or at most `maxAgeSeconds` ago. Otherwise the request is refused with 401
 * `insufficient_user_authentication` and a challenge naming `acr_values` and `max_age`, which the
 * client passes on to the authorization server. Checked after `@Scopes`/`@Roles`. On a controller
 * and a handler, the handler's requirement replaces the controller's as a whole.
 */
export const RequireAuthentication = (requirement: AuthenticationRequirement) =>
  SetMetadata(AUTHENTICATION_KEY, authenticationRequirement(requirement));
