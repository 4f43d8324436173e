import {
  type CanActivate,
  type ExecutionContext,
  HttpException,
  Inject,
  Injectable,
  Logger,
  Optional,
} from '@nestjs/common';
import { extractBearerToken } from '../protocol/bearer-token.js';
import { OidcAuthError } from '../protocol/errors.js';
import { type ChallengeOptions, toBearerErrorResponse } from '../protocol/rfc6750.js';
import type { OidcPrincipal } from '../verification/principal.js';
import { TokenVerifier } from '../verification/token-verifier.js';
import { VerifiedTokenCache } from '../verification/verified-token-cache.js';
import { OidcAuthEvents } from './oidc-auth.events.js';
import { OIDC_AUTH_OPTIONS, type OidcAuthModuleOptions } from './oidc-auth.options.js';
import { protectedResourceMetadataUrl } from '../protocol/resource-metadata.js';
import { enforcePolicy, type RoutePolicy, RoutePolicyReader } from './route-policy.js';

interface HttpRequest {
  method?: string;
  url?: string;
  route?: { path?: string };
  routeOptions?: { url?: string };
  headers?: Record<string, string | string[] | undefined>;
  query?: Record<string, unknown>;
  user?: unknown;
}

interface HttpResponse {
  setHeader?(name: string, value: string): unknown;
  header?(name: string, value: string): unknown;
}

// Values from tokens end up in log lines; keep them to one short printable line.
function loggable(value: string | undefined): string | undefined {
  return value?.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
}

/**
 * Authenticates every route that is not `@Public()` and enforces its `@Scopes`/`@Roles`. Fails
 * closed: contexts it cannot authenticate (WebSocket, RPC, GraphQL for now) are denied.
 *
 * It calls `TokenVerifier` directly rather than through passport: passport's per-request
 * middleware set-up cost about a fifth of the cold-path throughput in `npm run bench`.
 */
@Injectable()
export class OidcAuthGuard implements CanActivate {
  private readonly logger = new Logger(OidcAuthGuard.name);
  private challengeOptions?: ChallengeOptions;

  constructor(
    private readonly policies: RoutePolicyReader,
    private readonly verifier: TokenVerifier,
    private readonly events: OidcAuthEvents,
    @Inject(OIDC_AUTH_OPTIONS) private readonly options: OidcAuthModuleOptions,
    @Optional() private readonly cache?: VerifiedTokenCache,
  ) {}

  // Synchronous whenever the token's key is in memory: a guard that returns a promise costs Nest
  // extra turns of the event loop on every request.
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const policy = this.policies.of(context);
    if (policy.isPublic) return true;
    if (context.getType() !== 'http') {
      this.logger.warn(
        `Denied a ${context.getType()} call: only HTTP requests can be authenticated`,
      );
      return false;
    }
    const request = context.switchToHttp().getRequest<HttpRequest>();
    let token: string;
    try {
      token = extractBearerToken({
        authorization: request.headers?.authorization,
        query: request.query?.access_token,
        allowQuery: this.options.allowQueryToken === true,
      });
    } catch (err) {
      throw this.handle(err, context, undefined);
    }
    const cached = this.cache?.get(token);
    if (cached) return this.admit(context, policy, cached, true);
    let verifiedNow;
    try {
      verifiedNow = this.verifier.verifyNow(token);
    } catch (err) {
      throw this.handle(err, context, undefined);
    }
    if (verifiedNow) {
      this.cache?.set(token, verifiedNow.principal, verifiedNow.issuer, verifiedNow.kid);
      return this.admit(context, policy, verifiedNow.principal, false);
    }
    return this.verifier.verify(token).then(
      (verified) => {
        this.cache?.set(token, verified.principal, verified.issuer, verified.kid);
        return this.admit(context, policy, verified.principal, false);
      },
      (err: unknown) => {
        throw this.handle(err, context, undefined);
      },
    );
  }

  private admit(
    context: ExecutionContext,
    policy: RoutePolicy,
    principal: OidcPrincipal,
    cached: boolean,
  ): true {
    const request = context.switchToHttp().getRequest<HttpRequest>();
    request.user = principal;
    try {
      enforcePolicy(policy, principal);
    } catch (err) {
      throw this.handle(err, context, principal);
    }
    if (this.events.observed) {
      this.events.emit({
        outcome: 'allowed',
        route: this.routeOf(request),
        issuer: principal.issuer,
        subject: principal.subject,
        clientId: principal.clientId,
        cached,
      });
    }
    return true;
  }

  /** Refusals become RFC 6750 answers; anything else is not ours to translate. */
  private handle(
    err: unknown,
    context: ExecutionContext,
    principal: OidcPrincipal | undefined,
  ): unknown {
    if (!(err instanceof OidcAuthError)) return err;
    const http = context.switchToHttp();
    return this.refuse(
      err,
      http.getRequest<HttpRequest>(),
      http.getResponse<HttpResponse>(),
      principal,
    );
  }

  // Built on first use: ProtectedResourceMetadata reports a bad resource URL at startup first.
  private challenge(): ChallengeOptions {
    const resource = this.options.protectedResource?.resource;
    this.challengeOptions ??= {
      realm: this.options.realm ?? 'api',
      resourceMetadata: resource && protectedResourceMetadataUrl(resource),
    };
    return this.challengeOptions;
  }

  private routeOf(request: HttpRequest): string {
    const path = request.route?.path ?? request.routeOptions?.url ?? request.url?.split('?')[0];
    return `${request.method ?? 'GET'} ${loggable(path) ?? '/'}`;
  }

  /** Logs the refusal once, tells subscribers, and answers per RFC 6750. */
  private refuse(
    err: OidcAuthError,
    request: HttpRequest,
    response: HttpResponse,
    principal: OidcPrincipal | undefined,
  ): HttpException {
    const answer = toBearerErrorResponse(err, this.challenge());
    const event = {
      outcome: 'refused' as const,
      route: this.routeOf(request),
      status: answer.status,
      reason: err.reason,
      issuer: loggable(principal?.issuer ?? err.issuer),
      subject: loggable(principal?.subject),
      clientId: loggable(principal?.clientId),
    };
    const who = [
      event.issuer && `issuer=${event.issuer}`,
      event.subject && `subject=${event.subject}`,
      event.clientId && `client=${event.clientId}`,
    ].filter(Boolean);
    this.logger.warn(
      `Refused ${event.route} with ${event.status}: ${event.reason}${who.length ? ` (${who.join(' ')})` : ''}`,
    );
    if (this.events.observed) this.events.emit(event);
    for (const [name, value] of Object.entries(answer.headers)) {
      if (typeof response.header === 'function') response.header(name, value);
      else response.setHeader?.(name, value);
    }
    return new HttpException(answer.body, answer.status);
  }
}
