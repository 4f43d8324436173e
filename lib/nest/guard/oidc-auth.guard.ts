import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
} from '@nestjs/common';
import { InvalidTokenError, OidcAuthError } from '../../protocol/errors/errors.js';
import { clockToleranceOf } from '../../core/jwt/create-verifier.js';
import type { OidcPrincipal } from '../../core/claims/principal.js';
import { DPoPGate } from '../sender-constraint/dpop-gate.js';
import { type Authenticated, OidcAuthenticator } from '../authentication/oidc-authenticator.js';
import { OIDC_AUTH_OPTIONS, type OidcAuthModuleOptions } from '../options/oidc-auth.options.js';
import { PolicyRegistry } from '../policy/policy-registry.js';
import { enforcePolicy, type RoutePolicy, RoutePolicyReader } from '../policy/route-policy.js';
import type { Transport } from '../transports/transport.js';
import { transportsFor } from '../transports/transports.js';

const POLICIES_GRANTED = Symbol('nest-oidc-auth.policies-granted');
type PoliciesGranted = { [POLICIES_GRANTED]?: true };

/**
 * Authenticates every handler that is not `@Public()` and enforces its `@Issuers`,
 * `@Scopes`/`@Roles` and named `@Policy`s, over HTTP (Express, Fastify), GraphQL, WebSocket
 * gateways and microservices alike. Fails closed: a context type it does not know is denied.
 *
 * It calls the verifier directly rather than through passport: passport's per-request middleware
 * set-up cost about a fifth of the cold-path throughput in `npm run bench`.
 */
@Injectable()
export class OidcAuthGuard implements CanActivate {
  private readonly logger = new Logger(OidcAuthGuard.name);
  private readonly transports: ReadonlyMap<string, Transport>;
  private readonly lookup: { allowQueryToken: boolean };
  private readonly clockToleranceSeconds: number;

  constructor(
    private readonly policies: RoutePolicyReader,
    private readonly authenticator: OidcAuthenticator,
    private readonly namedPolicies: PolicyRegistry,
    @Inject(OIDC_AUTH_OPTIONS) options: OidcAuthModuleOptions,
    private readonly dpop: DPoPGate,
  ) {
    this.transports = transportsFor(options);
    this.lookup = { allowQueryToken: options.allowQueryToken === true };
    this.clockToleranceSeconds = clockToleranceOf(options);
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const policy = this.policies.of(context);
    if (policy.isPublic) return true;
    const transport = this.transports.get(context.getType());
    if (!transport) {
      this.logger.warn(`Denied a ${context.getType()} call: no way to authenticate this context`);
      return false;
    }
    const bound = transport.boundToCall(context);
    if (bound) return this.enforce(transport, context, policy, bound.principal);
    let authenticated: Authenticated | Promise<Authenticated>;
    try {
      authenticated = this.authenticate(transport, context, policy);
    } catch (err) {
      return this.refuse(err, transport, context, policy, undefined);
    }
    if (!(authenticated instanceof Promise)) {
      return this.admit(transport, context, policy, authenticated);
    }
    return authenticated.then(
      (result) => this.admit(transport, context, policy, result),
      (err: unknown) => this.refuse(err, transport, context, policy, undefined),
    );
  }

  private authenticate(
    transport: Transport,
    context: ExecutionContext,
    policy: RoutePolicy,
  ): Authenticated | Promise<Authenticated> {
    const established = transport.established(context);
    if (!established) {
      return this.dpop.authenticate(
        transport.exchange?.(context),
        () => transport.token(context, this.lookup),
        policy.dpop === true,
        transport.certificateCarrier?.(context),
      );
    }
    if (!this.authenticator.isCurrent(established)) {
      transport.end?.(context, 'The access token expired');
      throw new InvalidTokenError('token_expired', 'The access token expired');
    }
    this.dpop.checkEstablished(established, policy.dpop === true);
    const authenticated = { ...established, cached: true };
    const trusted = this.authenticator.recheckTrust(established, (reason) =>
      transport.end?.(context, reason),
    );
    return trusted instanceof Promise ? trusted.then(() => authenticated) : authenticated;
  }

  private admit(
    transport: Transport,
    context: ExecutionContext,
    policy: RoutePolicy,
    authenticated: Authenticated,
  ): true | Promise<true> {
    transport.bind(context, authenticated);
    const enforced = this.enforce(transport, context, policy, authenticated.principal);
    if (!this.authenticator.reportsAllowed) return enforced;
    const report = (): true => {
      this.authenticator.allowed(context.getType(), transport.describe(context), authenticated);
      return true;
    };
    return enforced === true ? report() : enforced.then(report);
  }

  private enforce(
    transport: Transport,
    context: ExecutionContext,
    policy: RoutePolicy,
    principal: OidcPrincipal,
  ): true | Promise<true> {
    let named: true | Promise<true>;
    try {
      enforcePolicy(
        policy,
        principal,
        policy.authentication && {
          nowSeconds: Date.now() / 1000,
          toleranceSeconds: this.clockToleranceSeconds,
        },
      );
      // Routes without named policies (most) stay synchronous and allocate nothing here. Nest
      // shares one context between the guards of a call: where the guard runs twice (global and
      // handler-level), the policies (a database lookup, say) have granted this very call already.
      if (!policy.policies || (context as PoliciesGranted)[POLICIES_GRANTED]) return true;
      named = this.namedPolicies.enforce(policy.policies, principal, context);
    } catch (err) {
      return this.refuse(err, transport, context, policy, principal);
    }
    const granted = (): true => ((context as PoliciesGranted)[POLICIES_GRANTED] = true);
    if (named === true) return granted();
    return named.then(granted, (err: unknown) =>
      this.refuse(err, transport, context, policy, principal),
    );
  }

  /**
   * Refusals become the transport's answer (RFC 6750 over HTTP, GraphQL errors, exception events);
   * anything else is not ours to translate. Synchronous where the transport's answer is, so that
   * HTTP refusals do not wait for a turn of the event loop.
   */
  private refuse(
    err: unknown,
    transport: Transport,
    context: ExecutionContext,
    policy: RoutePolicy,
    principal: OidcPrincipal | undefined,
  ): never | Promise<never> {
    if (!(err instanceof OidcAuthError)) throw err;
    const answer = this.authenticator.refused(
      context.getType(),
      transport.describe(context),
      err,
      principal,
      policy.challenge,
    );
    const refusal = transport.refusal(err, answer, context);
    if (refusal instanceof Promise) {
      return refusal.then((exception) => {
        throw exception;
      });
    }
    throw refusal;
  }
}
