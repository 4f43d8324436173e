import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  Optional,
  type Type,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { OidcAuthConfigError } from '../../core/config/config-error.js';
import { TokenVerifier } from '../../core/jwt/token-verifier.js';
import { ISSUERS_KEY } from './decorators/issuers.decorator.js';
import { DPOP_KEY } from './decorators/require-dpop.decorator.js';
import { ANY_POLICY_KEY, POLICIES_KEY } from './decorators/policy.decorator.js';
import { restrictionProblem } from './issuer-restriction.js';
import { OIDC_AUTH_OPTIONS, type OidcAuthModuleOptions } from '../options/oidc-auth.options.js';
import { PolicyRegistry } from './policy-registry.js';
import { PROTECTED_RESOURCE_KEY } from '../resources/protected-resource.decorator.js';
import { ProtectedResources } from '../resources/protected-resources.js';

type Target = Type | ((...args: unknown[]) => unknown);

/**
 * Refuses to start while a controller, resolver, gateway or message handler names a policy nobody
 * registered, an issuer no token could come from, a protected resource nobody defined, or
 * `@RequireDPoP()` with DPoP off: each would deny every call of the route, found out only when
 * someone calls it.
 */
@Injectable()
export class RouteRequirementsCheck implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    private readonly policies: PolicyRegistry,
    private readonly verifier: TokenVerifier,
    private readonly resources: ProtectedResources,
    @Optional() @Inject(OIDC_AUTH_OPTIONS) private readonly options?: OidcAuthModuleOptions,
  ) {}

  onApplicationBootstrap(): void {
    const seen = new Set<unknown>();
    for (const wrapper of [...this.discovery.getControllers(), ...this.discovery.getProviders()]) {
      const type = wrapper.metatype as Type | null | undefined;
      if (typeof type !== 'function' || !type.prototype || seen.has(type)) continue;
      seen.add(type);
      for (const [where, target] of this.targets(type)) this.check(where, target);
    }
  }

  private targets(type: Type): [string, Target][] {
    const targets: [string, Target][] = [[type.name, type]];
    for (const method of new MetadataScanner().getAllMethodNames(type.prototype)) {
      const handler: unknown = type.prototype[method];
      if (typeof handler === 'function') {
        targets.push([`${type.name}.${method}`, handler as Target]);
      }
    }
    return targets;
  }

  private check(where: string, target: Target): void {
    const names = [
      ...(this.reflector.get<string[] | undefined>(POLICIES_KEY, target) ?? []),
      ...(this.reflector.get<string[][] | undefined>(ANY_POLICY_KEY, target) ?? []).flat(),
    ];
    const unknown = names.find((name) => !this.policies.has(name));
    if (unknown !== undefined) {
      throw new OidcAuthConfigError(
        'policies',
        `has no policy ${unknown}, which ${where} requires (registered: ${this.policies.names.join(', ') || 'none'})`,
      );
    }
    for (const issuer of this.reflector.get<string[] | undefined>(ISSUERS_KEY, target) ?? []) {
      const problem = restrictionProblem(issuer, this.verifier.issuers);
      if (problem) throw new OidcAuthConfigError(`@Issuers on ${where}`, problem);
    }
    const resource = this.reflector.get<string | undefined>(PROTECTED_RESOURCE_KEY, target);
    // Throws the startup error naming the route when no resource has that name.
    if (resource !== undefined) this.resources.of(resource, where);
    if (this.options?.dpop?.mode === 'off' && this.reflector.get(DPOP_KEY, target) === true) {
      throw new OidcAuthConfigError('dpop.mode', `is 'off', but ${where} has @RequireDPoP()`);
    }
  }
}
