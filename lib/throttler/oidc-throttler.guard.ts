import { type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { OidcAuthGuard } from '../nest/guard/oidc-auth.guard.js';
import { OIDC_AUTH_GLOBAL_GUARD } from '../nest/options/oidc-auth.options.js';
import { authenticationOf } from '../nest/transports/call-authentications.js';
import { OidcPrincipal } from '../core/claims/principal.js';
import { callerTracker } from './caller-tracker.js';

/**
 * `@nestjs/throttler`'s guard, counting each verified caller's requests against their own budget
 * (`callerTracker`) rather than their IP address: clients cannot spend each other's budget, and one
 * token sent from many addresses is still one caller. Calls without a caller (`@Public()` routes)
 * are counted per IP address, as the throttler does by default. HTTP only: other transports pass.
 */
@Injectable()
export class OidcThrottlerGuard extends ThrottlerGuard {
  // Properties rather than constructor parameters: the throttler's own constructor stays as it is.
  @Inject(OidcAuthGuard) private readonly oidcGuard!: OidcAuthGuard;
  @Inject(OIDC_AUTH_GLOBAL_GUARD) private readonly oidcGuardIsGlobal!: boolean;

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    // Nest runs global guards in the order it scanned their modules, which an application hardly
    // controls. Authenticating here first makes that order irrelevant: whichever of the two guards
    // runs second finds the call already authenticated. A refusal is answered before any counting.
    if (this.oidcGuardIsGlobal && context.getType() === 'http') {
      if (!(await this.oidcGuard.canActivate(context))) return false;
    }
    return super.canActivate(context);
  }

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(context.getType() !== 'http');
  }

  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    const principal = authenticationOf(request)?.principal ?? passportUser(request);
    return principal ? Promise.resolve(callerTracker(principal)) : super.getTracker(request);
  }
}

// Where passport leaves the caller when a route uses `AuthGuard(OIDC_AUTH_STRATEGY)` instead.
function passportUser(request: Record<string, unknown>): OidcPrincipal | undefined {
  return request.user instanceof OidcPrincipal ? request.user : undefined;
}
