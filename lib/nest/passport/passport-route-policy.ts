import { Inject, Injectable, type Type } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { APP_GUARD, DiscoveryService, MetadataScanner } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { OidcAuthConfigError } from '../../core/config/config-error.js';
import { guardsOf, HandlerGuardBinding } from '../guard/handler-guard-binding.js';
import { OidcAuthGuard } from '../guard/oidc-auth.guard.js';
import { OIDC_AUTH_GLOBAL_GUARD } from '../options/oidc-auth.options.js';
import { OIDC_AUTH_STRATEGY } from './oidc-auth.strategy.js';
import { type RoutePolicy, RoutePolicyReader } from '../policy/route-policy.js';

type Handler = (...args: unknown[]) => unknown;

// @nestjs/graphql's key on every query, mutation, subscription and field resolver, read without
// importing that optional peer.
const RESOLVER_NAME_METADATA = 'graphql:resolver_name';

/** Controller routes and GraphQL resolvers: where passport guards authenticate calls. */
const isRoute = (handler: Handler) =>
  Reflect.getMetadata(PATH_METADATA, handler) !== undefined ||
  Reflect.getMetadata(RESOLVER_NAME_METADATA, handler) !== undefined;

// What every `AuthGuard(...)` of @nestjs/passport has, whichever strategies it runs.
function isPassportGuard(guard: unknown): boolean {
  const prototype: unknown = typeof guard === 'function' ? guard.prototype : guard;
  const methods = prototype as { handleRequest?: unknown; getAuthenticateOptions?: unknown } | null;
  return (
    typeof methods?.handleRequest === 'function' &&
    typeof methods.getAuthenticateOptions === 'function'
  );
}

// What an APP_GUARD provider may be: its class, its value, or the provider it names (useExisting).
function globalGuards(discovery: DiscoveryService): unknown[] {
  return discovery
    .getProviders()
    .filter((wrapper) => typeof wrapper.token === 'string' && wrapper.token.startsWith(APP_GUARD))
    .flatMap((wrapper) => [wrapper.metatype, wrapper.instance, ...(wrapper.inject ?? [])]);
}

function decidesSomething(policy: RoutePolicy): boolean {
  return (
    !policy.isPublic &&
    (policy.scopes.length > 0 ||
      policy.roles.length > 0 ||
      policy.issuers !== undefined ||
      policy.resource?.restricts === true ||
      policy.policies !== undefined ||
      policy.authentication !== undefined)
  );
}

/**
 * Makes `@UseGuards(AuthGuard('oidc-auth'))` (or a subclass of it, or one registered as APP_GUARD)
 * enforce the route's `@Issuers`, `@Scopes`/`@Roles`, `@RequireAuthentication` and `@Policy`s like
 * the global guard does: passport authenticates, but nothing of passport knows the route.
 * `OidcAuthGuard` is bound after it on such routes (controller routes and GraphQL resolvers); it
 * finds the call authenticated by the strategy and only enforces the policy.
 *
 * A route that declares policy behind a passport guard of other or several strategies
 * (`AuthGuard(['oidc-auth', 'api-key'])`) stops the application: callers of the other strategies
 * carry no token the policy could be checked against, so it would either refuse them all or let
 * them all through, and which is right only the application knows (listing `OidcAuthGuard` after
 * it requires a token from every caller). Only with `globalGuard: false`: otherwise the global
 * guard has enforced the policy before any guard of the route runs.
 */
@Injectable()
export class PassportRoutePolicy {
  constructor(
    discovery: DiscoveryService,
    @Inject(OIDC_AUTH_GLOBAL_GUARD) isGlobal: boolean,
    guard: OidcAuthGuard,
    policies: RoutePolicyReader,
  ) {
    if (isGlobal) return;
    const ours = AuthGuard(OIDC_AUTH_STRATEGY) as unknown as abstract new () => object;
    // The class, a subclass, or an instance of either (`@UseGuards(new OidcJwtGuard())`, APP_GUARD).
    const isOurs = (candidate: unknown) =>
      typeof candidate === 'function'
        ? candidate === ours || Object.prototype.isPrototypeOf.call(ours, candidate)
        : candidate instanceof ours;
    const binding = new HandlerGuardBinding(discovery, guard);
    // A passport guard registered as APP_GUARD guards every route (`app.useGlobalGuards` is not
    // known this early: register it as APP_GUARD instead).
    const global = globalGuards(discovery).filter(isPassportGuard);
    const scanner = new MetadataScanner();
    const boundHere = new Set<Handler>();
    for (const wrapper of [...discovery.getControllers(), ...discovery.getProviders()]) {
      const controller = wrapper.metatype as Type | null;
      if (!controller?.prototype) continue;
      for (const name of scanner.getAllMethodNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name] as Handler;
        if (!isRoute(handler)) continue;
        const guards = [...global, ...guardsOf(controller), ...guardsOf(handler)];
        const passport = guards.filter(isPassportGuard);
        // The application's own OidcAuthGuard enforces the policy already; one bound here, for a
        // class also listed in another module, must be registered in that module too.
        const explicit = guards.includes(OidcAuthGuard) && !boundHere.has(handler);
        if (passport.length === 0 || explicit) continue;
        if (!decidesSomething(policies.for(controller, handler))) continue;
        if (!passport.every(isOurs)) {
          throw new OidcAuthConfigError(
            `route ${controller.name}.${name}`,
            `declares route policy behind a passport guard of other strategies than '${OIDC_AUTH_STRATEGY}', which cannot enforce it: guard it with AuthGuard('${OIDC_AUTH_STRATEGY}') or OidcAuthGuard, or list OidcAuthGuard after it to require a token from every caller`,
          );
        }
        binding.bind(wrapper, controller.prototype, name, handler);
        boundHere.add(handler);
      }
    }
  }
}
