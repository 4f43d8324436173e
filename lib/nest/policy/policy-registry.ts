import {
  type ExecutionContext,
  Inject,
  Injectable,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { PolicyDeniedError } from '../../protocol/errors/errors.js';
import { OidcAuthConfigError } from '../../core/config/config-error.js';
import type { OidcPrincipal } from '../../core/claims/principal.js';
import { AUTH_POLICY_KEY } from './decorators/auth-policy.decorator.js';
import type { OidcPolicy, PolicyCheck } from '../options/policy-check.js';
import { OIDC_AUTH_OPTIONS, type OidcAuthModuleOptions } from '../options/oidc-auth.options.js';

type Groups = readonly (readonly string[])[];

// Only `true` grants: a policy that forgets to return, or returns a truthy object, denies.
const granted = (result: unknown): boolean => result === true;

/**
 * The named policies: those of `forRoot({ policies })` and the `@AuthPolicy` providers, collected
 * when the module initialises (a name registered twice stops the application), and run by the guard.
 */
@Injectable()
export class PolicyRegistry implements OnModuleInit {
  private readonly checks = new Map<string, PolicyCheck>();
  // A provider class listed in several modules is one policy, not a name registered twice.
  private readonly providerTypes = new Map<string, Type>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    @Inject(OIDC_AUTH_OPTIONS) private readonly options: OidcAuthModuleOptions,
  ) {}

  onModuleInit(): void {
    for (const [name, check] of Object.entries(this.options.policies ?? {})) {
      if (typeof check !== 'function') {
        throw new OidcAuthConfigError(
          `policies.${name}`,
          'must be a function (principal, context)',
        );
      }
      this.register(name, check, `policies.${name}`);
    }
    for (const wrapper of this.discovery.getProviders()) this.registerProvider(wrapper);
  }

  /** The registered names, for messages and tests. */
  get names(): string[] {
    return [...this.checks.keys()];
  }

  has(name: string): boolean {
    return this.checks.has(name);
  }

  /**
   * Whether every requirement (each met by any one of its policies) grants the call. Synchronous
   * while the policies are; throws or rejects with `PolicyDeniedError` for the first that does not.
   */
  enforce(
    groups: Groups,
    principal: OidcPrincipal,
    context: ExecutionContext,
  ): true | Promise<true> {
    for (let i = 0; i < groups.length; i++) {
      const met = this.anyOf(groups[i], 0, principal, context);
      if (met instanceof Promise) {
        return met.then((ok) => {
          if (!ok) throw new PolicyDeniedError(groups[i]);
          return this.enforce(groups.slice(i + 1), principal, context);
        });
      }
      if (!met) throw new PolicyDeniedError(groups[i]);
    }
    return true;
  }

  private anyOf(
    group: readonly string[],
    from: number,
    principal: OidcPrincipal,
    context: ExecutionContext,
  ): boolean | Promise<boolean> {
    for (let i = from; i < group.length; i++) {
      const check = this.checks.get(group[i]);
      // Unreachable after the startup check, unless metadata was added at runtime: fail closed.
      if (!check) throw new OidcAuthConfigError('policies', `has no policy ${group[i]}`);
      const result = check(principal, context);
      if (result instanceof Promise) {
        return result.then(
          (value) => granted(value) || this.anyOf(group, i + 1, principal, context),
        );
      }
      if (granted(result)) return true;
    }
    return false;
  }

  private register(name: string, check: PolicyCheck, where: string): void {
    if (this.checks.has(name)) {
      throw new OidcAuthConfigError(
        where,
        `registers the policy ${name}, which is already registered`,
      );
    }
    this.checks.set(name, check);
  }

  private registerProvider(wrapper: InstanceWrapper): void {
    const type = wrapper.metatype as Type | null | undefined;
    if (!type || typeof type !== 'function') return;
    const name = this.reflector.get<string | undefined>(AUTH_POLICY_KEY, type);
    if (name === undefined) return;
    const instance = wrapper.instance as Partial<OidcPolicy> | undefined;
    if (this.providerTypes.get(name) === type) return;
    const where = `@AuthPolicy('${name}') ${type.name}`;
    // A request-scoped policy has no instance here, and one per call would defeat the guard's cost.
    if (!wrapper.isDependencyTreeStatic() || typeof instance?.check !== 'function') {
      throw new OidcAuthConfigError(
        where,
        'must be a singleton provider with a check(principal, context) method',
      );
    }
    this.register(name, instance.check.bind(instance), where);
    this.providerTypes.set(name, type);
  }
}
