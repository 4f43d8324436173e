import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/**
 * The raw bearer token of the request, for passing on to a token exchange
 * (`tokenClient.getTokenOnBehalfOf(token, ...)`). Only meaningful behind the guard, which has
 * checked its form and its validity.
 */
export const AccessToken = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const header = context.switchToHttp().getRequest<{ headers?: Record<string, unknown> }>()
    ?.headers?.authorization;
  return typeof header === 'string' ? header.replace(/^Bearer +/i, '').trim() : undefined;
});
