import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { OidcPrincipal } from '../../core/claims/principal.js';
import { callAuthentication } from '../transports/transports.js';

function principalOf(context: ExecutionContext): OidcPrincipal | undefined {
  const principal = callAuthentication(context)?.principal;
  if (principal || context.getType() !== 'http') return principal;
  // Set by passport when the route uses `AuthGuard(OIDC_AUTH_STRATEGY)` instead of our guard.
  const user = context.switchToHttp().getRequest<{ user?: unknown }>()?.user;
  return user instanceof OidcPrincipal ? user : undefined;
}

/**
 * The authenticated caller (`OidcPrincipal`), or one of its fields: `@Principal('subject')`, in
 * controllers, resolvers, gateways and message handlers alike. Undefined on a public handler.
 */
export const Principal = createParamDecorator(
  (field: keyof OidcPrincipal | undefined, context: ExecutionContext) => {
    const principal = principalOf(context);
    return field ? principal?.[field] : principal;
  },
);

/** One raw claim of the verified token, `@Claims('name')`, or all of them with `@Claims()`. */
export const Claims = createParamDecorator(
  (name: string | undefined, context: ExecutionContext) => {
    const claims = principalOf(context)?.claims;
    return name ? claims?.[name] : claims;
  },
);
