import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { OidcPrincipal } from '../../verification/principal.js';

function principalOf(context: ExecutionContext): OidcPrincipal | undefined {
  const user = context.switchToHttp().getRequest<{ user?: unknown }>()?.user;
  return user instanceof OidcPrincipal ? user : undefined;
}

/**
 * The authenticated caller (`OidcPrincipal`), or one of its fields: `@Principal('subject')`.
 * Undefined on a public route.
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
