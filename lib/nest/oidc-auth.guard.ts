import { type ExecutionContext, HttpException, Inject, Injectable, Logger } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { extractBearerToken } from '../protocol/bearer-token.js';
import { InvalidTokenError, OidcAuthError } from '../protocol/errors.js';
import { toBearerErrorResponse } from '../protocol/rfc6750.js';
import { fromJsonWebTokenError } from '../verification/jsonwebtoken-errors.js';
import { OidcPrincipal } from '../verification/principal.js';
import { OIDC_AUTH_OPTIONS } from './oidc-auth.options.js';
import { type OidcAuthModuleOptions } from './oidc-auth.options.js';
import { OIDC_AUTH_STRATEGY } from './oidc-auth.strategy.js';
import { enforcePolicy, RoutePolicyReader } from './route-policy.js';
import { setRequestToken } from './request-token.js';

interface HttpRequest {
  headers?: Record<string, string | string[] | undefined>;
  query?: Record<string, unknown>;
  user?: unknown;
}

interface HttpResponse {
  setHeader?(name: string, value: string): unknown;
  header?(name: string, value: string): unknown;
}

/**
 * Authenticates every route that is not `@Public()` and enforces its `@Scopes`/`@Roles`. Fails
 * closed: contexts it cannot authenticate (WebSocket, RPC, GraphQL for now) are denied.
 */
@Injectable()
export class OidcAuthGuard extends AuthGuard(OIDC_AUTH_STRATEGY) {
  private readonly logger = new Logger(OidcAuthGuard.name);

  constructor(
    private readonly policies: RoutePolicyReader,
    @Inject(OIDC_AUTH_OPTIONS) private readonly options: OidcAuthModuleOptions,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.policies.of(context);
    if (policy.isPublic) return true;
    if (context.getType() !== 'http') {
      this.logger.warn(
        `Denied a ${context.getType()} call: only HTTP requests can be authenticated`,
      );
      return false;
    }
    const request = context.switchToHttp().getRequest<HttpRequest>();
    try {
      setRequestToken(
        request,
        extractBearerToken({
          authorization: request.headers?.authorization,
          query: request.query?.access_token,
          allowQuery: this.options.allowQueryToken === true,
        }),
      );
      await super.canActivate(context);
      enforcePolicy(policy, request.user as OidcPrincipal);
      return true;
    } catch (err) {
      if (err instanceof OidcAuthError) {
        throw this.refuse(err, context.switchToHttp().getResponse<HttpResponse>());
      }
      throw err;
    }
  }

  override handleRequest<TUser>(err: unknown, user: TUser, info: unknown): TUser {
    if (err) throw err;
    if (user) return user;
    if (info instanceof OidcAuthError) throw info;
    throw info instanceof Error
      ? fromJsonWebTokenError(info)
      : new InvalidTokenError('malformed_token', 'The token could not be verified');
  }

  private refuse(err: OidcAuthError, response: HttpResponse): HttpException {
    const answer = toBearerErrorResponse(err, { realm: this.options.realm ?? 'api' });
    for (const [name, value] of Object.entries(answer.headers)) {
      if (typeof response.header === 'function') response.header(name, value);
      else response.setHeader?.(name, value);
    }
    return new HttpException(answer.body, answer.status);
  }
}
