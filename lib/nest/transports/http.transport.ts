import { type ExecutionContext, HttpException } from '@nestjs/common';
import { extractBearerToken } from '../../protocol/bearer/bearer-token.js';
import type { OidcAuthError } from '../../protocol/errors/errors.js';
import type { BearerErrorResponse } from '../../protocol/bearer/rfc6750.js';
import { authenticationOf, bindAuthentication } from './call-authentications.js';
import type { HttpRequestLike, HttpResponseLike } from './http-exchange.js';
import { type Authentication, loggable, type TokenLookup, type Transport } from './transport.js';

export function httpToken(request: HttpRequestLike | undefined, lookup: TokenLookup): string {
  return extractBearerToken({
    authorization: request?.headers?.authorization,
    query: request?.query?.access_token,
    allowQuery: lookup.allowQueryToken,
  });
}

export function describeHttp(request: HttpRequestLike): string {
  const path = request.route?.path ?? request.routeOptions?.url ?? request.url?.split('?')[0];
  return `${request.method ?? 'GET'} ${loggable(path) ?? '/'}`;
}

/** Sets the RFC 6750 headers (`WWW-Authenticate`, `Retry-After`) on an Express or Fastify reply. */
export function setAnswerHeaders(response: HttpResponseLike, answer: BearerErrorResponse): void {
  for (const [name, value] of Object.entries(answer.headers)) {
    if (typeof response.header === 'function') response.header(name, value);
    else response.setHeader?.(name, value);
  }
}

// args[0] of an HTTP context is the request; switchToHttp() would allocate three closures per call.
const request = (context: ExecutionContext) => context.getArgByIndex<HttpRequestLike>(0);

/** Express and Fastify: `Authorization: Bearer`, RFC 6750 status codes and challenges. */
export const httpTransport: Transport = {
  established: () => undefined,
  boundToCall: (context) => authenticationOf(request(context)),
  exchange: (context) => ({
    request: request(context),
    response: context.getArgByIndex<HttpResponseLike>(1),
  }),
  token: (context, lookup) => httpToken(request(context), lookup),
  certificateCarrier: request,
  bind(context, authentication) {
    const req = request(context);
    // `request.user` is where passport and most Nest code look for the caller.
    req.user = authentication.principal;
    bindAuthentication(req, authentication);
  },
  authenticationOf: (context): Authentication | undefined => authenticationOf(request(context)),
  describe: (context) => describeHttp(request(context)),
  refusal(_err: OidcAuthError, answer: BearerErrorResponse, context: ExecutionContext) {
    setAnswerHeaders(context.switchToHttp().getResponse<HttpResponseLike>(), answer);
    return new HttpException(answer.body, answer.status);
  },
};
