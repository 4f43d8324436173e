import { type ExecutionContext, Injectable, Optional, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InsufficientScopeError } from '../../protocol/errors/errors.js';
import { OidcPrincipal } from '../../core/claims/principal.js';
import {
  type AuthenticationClock,
  type AuthenticationRequirement,
  enforceAuthentication,
} from './authentication-requirement.js';
import {
  ANY_ROLE_KEY,
  AUTHENTICATION_KEY,
  ANY_SCOPE_KEY,
  PUBLIC_KEY,
  ROLES_KEY,
  SCOPES_KEY,
} from './decorators/metadata-keys.js';
import { ISSUERS_KEY } from './decorators/issuers.decorator.js';
import { DPOP_KEY } from './decorators/require-dpop.decorator.js';
import { ANY_POLICY_KEY, POLICIES_KEY } from './decorators/policy.decorator.js';
import { enforceIssuers } from './issuer-restriction.js';
import { type RouteChallenge, routeChallenge } from './route-challenge.js';
import { PROTECTED_RESOURCE_KEY } from '../resources/protected-resource.decorator.js';
import type { RouteResource } from '../resources/protected-resource-entry.js';
import { ProtectedResources } from '../resources/protected-resources.js';
import { enforceResourceAudience } from '../resources/resource-audience.js';

/** A route's effective policy: each inner list is one requirement, met by any one of its items. */
export interface RoutePolicy {
  isPublic: boolean;
  scopes: readonly (readonly string[])[];
  roles: readonly (readonly string[])[];
  /** `@RequireAuthentication()`: the handler's, else the controller's. */
  authentication?: AuthenticationRequirement;
  /** Named policies (`@Policy`, `@AnyPolicy`); absent when the route has none. */
  policies?: readonly (readonly string[])[];
  /** The only issuers whose tokens the route takes (`@Issuers`); absent when any trusted one does. */
  issuers?: readonly string[];
  /** `@RequireDPoP()`: the route takes DPoP-bound tokens with a proof only. */
  dpop?: boolean;
  /** The protected resource the route belongs to (`@ProtectedResource`, else the root one). */
  resource?: RouteResource;
  /** What its refusals tell the client: the scopes it needs, its resource's metadata. */
  challenge?: RouteChallenge;
}

type Handler = (...args: unknown[]) => unknown;

/** Reads and caches route policy from decorator metadata, once per controller and handler. */
@Injectable()
export class RoutePolicyReader {
  private readonly cache = new WeakMap<Type, WeakMap<Handler, RoutePolicy>>();

  constructor(
    private readonly reflector: Reflector,
    @Optional() private readonly resources?: ProtectedResources,
  ) {}

  of(context: ExecutionContext): RoutePolicy {
    return this.for(context.getClass(), context.getHandler() as Handler);
  }

  for(controller: Type, handler: Handler): RoutePolicy {
    let byHandler = this.cache.get(controller);
    if (!byHandler) {
      byHandler = new WeakMap();
      this.cache.set(controller, byHandler);
    }
    let policy = byHandler.get(handler);
    if (!policy) {
      policy = this.read([handler, controller], `${controller.name}.${handler.name}`);
      byHandler.set(handler, policy);
    }
    return policy;
  }

  private read(targets: [Handler, Type], where: string): RoutePolicy {
    const groups = (allKey: string, anyKey: string): string[][] => [
      ...[...new Set(this.reflector.getAllAndMerge<string[]>(allKey, targets))].map((s) => [s]),
      ...targets.flatMap(
        (target) => this.reflector.get<string[][] | undefined>(anyKey, target) ?? [],
      ),
    ];
    const policies = groups(POLICIES_KEY, ANY_POLICY_KEY);
    const scopes = groups(SCOPES_KEY, ANY_SCOPE_KEY);
    const resource = this.resources?.of(
      this.reflector.getAllAndOverride<string | undefined>(PROTECTED_RESOURCE_KEY, targets),
      where,
    );
    return {
      isPublic: this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets) ?? false,
      scopes,
      roles: groups(ROLES_KEY, ANY_ROLE_KEY),
      authentication: this.reflector.getAllAndOverride<AuthenticationRequirement | undefined>(
        AUTHENTICATION_KEY,
        targets,
      ),
      policies: policies.length > 0 ? policies : undefined,
      issuers: this.reflector.getAllAndOverride<string[] | undefined>(ISSUERS_KEY, targets),
      dpop: this.reflector.getAllAndOverride<boolean | undefined>(DPOP_KEY, targets),
      resource,
      challenge: routeChallenge(scopes, resource),
    };
  }
}

/**
 * Throws `InvalidTokenError` (`issuer_not_allowed`) for a token of an issuer the route does not
 * take, and (`resource_mismatch`) for one meant for another protected resource, then `InsufficientScopeError` for the first requirement the principal does not meet, then
 * `InsufficientUserAuthenticationError` if its authentication is not strong or recent enough:
 * stepping up is pointless for a token that lacks the scope anyway. Named policies are the guard's
 * to run (`PolicyRegistry`): they need the call's context.
 */
export function enforcePolicy(
  policy: RoutePolicy,
  principal: OidcPrincipal,
  clock: AuthenticationClock = { nowSeconds: Date.now() / 1000, toleranceSeconds: 0 },
): void {
  enforceIssuers(policy.issuers, principal);
  if (policy.resource?.restricts) enforceResourceAudience(policy.resource, principal);
  for (const group of policy.scopes) {
    if (!group.some((scope) => principal.hasScope(scope))) {
      throw new InsufficientScopeError('insufficient_scope', group);
    }
  }
  for (const group of policy.roles) {
    if (!group.some((role) => principal.hasRole(role))) {
      throw new InsufficientScopeError('insufficient_role', group);
    }
  }
  if (policy.authentication) enforceAuthentication(policy.authentication, principal, clock);
}
