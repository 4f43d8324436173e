import { Controller, Get, Req, type Type, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { OIDC_AUTH_STRATEGY, type OidcPrincipal } from '../../lib/index.js';

/**
 * `GET /passport` behind `AuthGuard('oidc-auth')` alone, answering `answer` of the principal the
 * strategy authenticated. A class per call: the module binds its guard into handlers' metadata,
 * which a class shared between applications would carry from one into the next.
 */
export function passportController(
  answer: (user: OidcPrincipal) => object = (user) => ({ subject: user.subject }),
): Type {
  @Controller('passport')
  class PassportController {
    @UseGuards(AuthGuard(OIDC_AUTH_STRATEGY))
    @Get()
    guarded(@Req() request: { user: OidcPrincipal }) {
      return answer(request.user);
    }
  }
  return PassportController;
}
