import {
  Inject,
  Injectable,
  type INestApplicationContext,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { OidcAuthConfigError } from '../../core/config/config-error.js';
import { OidcAuthGuard } from '../guard/oidc-auth.guard.js';
import {
  OIDC_AUTH_GLOBAL_GUARD,
  OIDC_AUTH_OPTIONS,
  type OidcAuthModuleOptions,
} from '../options/oidc-auth.options.js';
import { describeAuthentication } from '../policy/authentication-requirement.js';
import { type RoutePolicy, RoutePolicyReader } from '../policy/route-policy.js';
import { collectRoutes, type RouteEntry, routeTable } from './route-table.js';

function requirement(kind: string, groups: readonly (readonly string[])[]): string | undefined {
  if (groups.length === 0) return undefined;
  return `${kind} ${groups.map((g) => (g.length === 1 ? g[0] : `(${g.join(' | ')})`)).join(' & ')}`;
}

/**
 * One route's effective policy in words: `public`, `unprotected`, `authenticated`,
 * `scope a & (b | c)`, `issuer https://idp.example; policy sameTenant & notSuspended`,
 * `resource mcp; scope tools:call`.
 */
export function describePolicy(route: RouteEntry, globalGuard: boolean): string {
  if (route.policy.isPublic) return 'public';
  if (!globalGuard && !route.guardedExplicitly) return 'unprotected';
  const parts = [
    route.policy.resource?.name !== undefined && `resource ${route.policy.resource.name}`,
    requirement('issuer', route.policy.issuers ? [route.policy.issuers] : []),
    requirement('scope', route.policy.scopes),
    requirement('role', route.policy.roles),
    requirement('policy', route.policy.policies ?? []),
    route.policy.authentication && describeAuthentication(route.policy.authentication),
    route.policy.dpop && 'DPoP',
  ];
  return parts.filter(Boolean).join('; ') || 'authenticated';
}

function authorizes(policy: RoutePolicy): boolean {
  return policy.scopes.length > 0 || policy.roles.length > 0 || policy.policies !== undefined;
}

/**
 * Every route of the application and its effective policy, `{ 'GET /notes': 'scope notes:read' }`,
 * for snapshot tests: `expect(policyOf(app)).toMatchSnapshot()`.
 */
export function policyOf(app: INestApplicationContext): Record<string, string> {
  const globalGuard = app.get<boolean>(OIDC_AUTH_GLOBAL_GUARD);
  return Object.fromEntries(
    routeTable(app).map((r) => [`${r.method} ${r.path}`, describePolicy(r, globalGuard)]),
  );
}

/**
 * Lists every route with its policy at bootstrap, warns about routes nothing protects although
 * they are not marked `@Public()`, and, with `audit.requirePolicy`, refuses to start while an
 * authenticated route names no scope or role.
 */
@Injectable()
export class RouteAudit implements OnApplicationBootstrap {
  private readonly logger = new Logger('OidcAuthModule');

  constructor(
    private readonly modules: ModulesContainer,
    private readonly policies: RoutePolicyReader,
    @Inject(OIDC_AUTH_OPTIONS) private readonly options: OidcAuthModuleOptions,
    @Inject(OIDC_AUTH_GLOBAL_GUARD) private readonly globalGuard: boolean,
  ) {}

  onApplicationBootstrap(): void {
    const routes = collectRoutes(this.modules, this.policies, OidcAuthGuard);
    const described = routes.map((r) => ({
      route: r,
      policy: describePolicy(r, this.globalGuard),
    }));
    if (this.options.audit?.log !== false) {
      for (const { route, policy } of described) {
        this.logger.log(`${route.method} ${route.path} -> ${policy}`);
      }
    }
    for (const { route } of described.filter((d) => d.policy === 'unprotected')) {
      this.logger.warn(
        `${route.method} ${route.path} is reachable without a token but not marked @Public(): no OidcAuthGuard applies to it`,
      );
    }
    if (this.options.audit?.requirePolicy) {
      // An issuer restriction says whose tokens, not who may call: it is no policy on its own.
      const bare = described.filter(
        (d) =>
          d.policy === 'unprotected' || (!d.route.policy.isPublic && !authorizes(d.route.policy)),
      );
      if (bare.length > 0) {
        throw new OidcAuthConfigError(
          'audit.requirePolicy',
          `is set, but these routes have no @Scopes, @Roles, @Policy or @Public: ${bare.map((d) => `${d.route.method} ${d.route.path}`).join(', ')}`,
        );
      }
    }
  }
}
