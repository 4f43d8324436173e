import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { callAuthentication } from '../transports/transports.js';

function fromHeader(context: ExecutionContext): string | undefined {
  if (context.getType() !== 'http') return undefined;
  const header = context.switchToHttp().getRequest<{ headers?: Record<string, unknown> }>()
    ?.headers?.authorization;
  return typeof header === 'string' ? header.replace(/^Bearer +/i, '').trim() : undefined;
}

/**
 * The raw bearer token of the call, for passing on to a token exchange
 * (`tokenClient.getTokenOnBehalfOf(token, ...)`). Only meaningful behind the guard, which has
 * checked its form and its validity.
 */
export const AccessToken = createParamDecorator(
  (_data: unknown, context: ExecutionContext) =>
    callAuthentication(context)?.token ?? fromHeader(context),
);
