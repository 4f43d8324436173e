import { SetMetadata } from '@nestjs/common';
import { requirementList } from './requirement-list.js';

export const ISSUERS_KEY = 'oidc-auth:issuers';

/**
 * Accepts only tokens of the listed trusted issuers on this handler, or on every handler of this
 * controller (a partner API that takes the partner's identity provider alone). A handler's own
 * `@Issuers` replaces its controller's: the list on a route is always the one written next to it.
 * Compared exactly with the principal's `issuer`; other issuers' tokens get 401 `invalid_token`.
 */
export const Issuers = (...issuers: string[]) =>
  SetMetadata(ISSUERS_KEY, requirementList('Issuers', issuers));
