import { SetMetadata } from '@nestjs/common';

export const DPOP_KEY = 'oidc-auth:dpop';

/**
 * The route (or every route of the controller) takes DPoP-bound tokens with a proof only (RFC
 * 9449): a `Bearer` token is refused with a `DPoP` challenge, whatever the module's `dpop.mode`;
 * with `dpop.mode: 'off'` the application does not start. `@RequireDPoP(false)` on a handler
 * exempts it from its controller's.
 */
export const RequireDPoP = (required = true) => SetMetadata(DPOP_KEY, required);
