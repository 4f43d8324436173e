import type { ExecutionContext } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { Issuers } from '../../../../lib/nest/policy/decorators/issuers.decorator.js';
import { AnyPolicy, Policy } from '../../../../lib/nest/policy/decorators/policy.decorator.js';
import { AuthPolicy } from '../../../../lib/nest/policy/decorators/auth-policy.decorator.js';
import type { PolicyCheck } from '../../../../lib/nest/options/policy-check.js';
import { annotateAuthorization } from '../../../../lib/nest/metadata/openapi-authorization.js';
import { PolicyRegistry } from '../../../../lib/nest/policy/policy-registry.js';
import { RouteRequirementsCheck } from '../../../../lib/nest/policy/route-requirements.check.js';
import { ProtectedResources } from '../../../../lib/nest/resources/protected-resources.js';
import { describePolicy } from '../../../../lib/nest/metadata/route-audit.js';
import {
  enforcePolicy,
  RoutePolicyReader,
  type RoutePolicy,
} from '../../../../lib/nest/policy/route-policy.js';
import type { RouteEntry } from '../../../../lib/nest/metadata/route-table.js';
import { InvalidTokenError, PolicyDeniedError } from '../../../../lib/protocol/errors/errors.js';
import { toBearerErrorResponse } from '../../../../lib/protocol/bearer/rfc6750.js';
import { OidcAuthConfigError } from '../../../../lib/core/config/config-error.js';
import { OidcPrincipal } from '../../../../lib/core/claims/principal.js';
import type { TokenVerifier } from '../../../../lib/core/jwt/token-verifier.js';
import type { TrustedIssuer } from '../../../../lib/core/issuers/trusted-issuer.js';

@Policy('sameTenant')
@AnyPolicy('owner', 'admin')
@Issuers('https://partner.example')
class PartnerController {
  @Policy('notSuspended', 'sameTenant')
  @Policy('business-hours')
  edit() {}

  @Issuers('https://idp.example', 'https://partner.example')
  list() {}
}

class PlainController {
  plain() {}
}

const reader = new RoutePolicyReader(new Reflector());
const policy = (controller: { prototype: object }, name: string): RoutePolicy =>
  reader.for(
    controller as never,
    (controller.prototype as Record<string, (...args: unknown[]) => unknown>)[name],
  );

const principal = (issuer = 'https://partner.example', subject = 'alice') =>
  new OidcPrincipal(
    subject,
    issuer,
    ['api'],
    new Date(Date.now() + 60_000),
    { scopes: [], roles: [], isAppOnly: false },
    {},
  );

const context = {} as ExecutionContext;

function discovery(providers: object[] = [], controllers: object[] = []): DiscoveryService {
  return {
    getProviders: () => providers,
    getControllers: () => controllers,
  } as unknown as DiscoveryService;
}

function registry(policies: Record<string, PolicyCheck>, providers: object[] = []): PolicyRegistry {
  const built = new PolicyRegistry(discovery(providers), new Reflector(), {
    issuers: [],
    policies,
  });
  built.onModuleInit();
  return built;
}

/** A discovered provider or controller as Nest's DiscoveryService hands it out. */
const wrapper = (metatype: object, instance?: object, isStatic = true) => ({
  metatype,
  instance,
  isDependencyTreeStatic: () => isStatic,
});

function denial(run: () => unknown): PolicyDeniedError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyDeniedError);
    return err as PolicyDeniedError;
  }
  throw new Error('expected a denial');
}

describe('reading @Policy, @AnyPolicy and @Issuers', () => {
  it('merges policies of controller, handler and stacked decorators, each any-of one requirement', () => {
    expect(policy(PartnerController, 'edit').policies).toEqual([
      ['business-hours'],
      ['notSuspended'],
      ['sameTenant'],
      ['owner', 'admin'],
    ]);
  });

  it("lets a handler's @Issuers replace its controller's", () => {
    expect(policy(PartnerController, 'edit').issuers).toEqual(['https://partner.example']);
    expect(policy(PartnerController, 'list').issuers).toEqual([
      'https://idp.example',
      'https://partner.example',
    ]);
  });

  it('leaves both absent on a route without them, so the guard skips them', () => {
    const plain = policy(PlainController, 'plain');
    expect(plain.policies).toBeUndefined();
    expect(plain.issuers).toBeUndefined();
  });

  it('rejects empty names where the decorator is written', () => {
    expect(() => Policy()).toThrow('@Policy() needs at least one value');
    expect(() => AnyPolicy('a', '')).toThrow('@AnyPolicy() values must be non-empty strings');
    expect(() => Issuers()).toThrow('@Issuers() needs at least one value');
    expect(() => AuthPolicy('same tenant')).toThrow('@AuthPolicy() values must be non-empty');
  });
});

describe('the issuer restriction', () => {
  const restricted: RoutePolicy = {
    isPublic: false,
    scopes: [['notes:read']],
    roles: [],
    issuers: ['https://partner.example'],
  };

  it("refuses another trusted issuer's token as invalid_token before looking at scopes", () => {
    let refused: unknown;
    try {
      enforcePolicy(restricted, principal('https://idp.example'));
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(InvalidTokenError);
    expect((refused as InvalidTokenError).reason).toBe('issuer_not_allowed');
    expect((refused as InvalidTokenError).issuer).toBe('https://idp.example');
    const answer = toBearerErrorResponse(refused as InvalidTokenError);
    expect(answer.status).toBe(401);
    expect(answer.headers['WWW-Authenticate']).toBe(
      'Bearer error="invalid_token", error_description="This resource does not accept tokens of the issuer that signed this one"',
    );
  });

  it('lets a listed issuer through to the other requirements', () => {
    expect(() => enforcePolicy(restricted, principal())).toThrow(
      'This resource requires the scope notes:read',
    );
  });
});

describe('PolicyRegistry', () => {
  const yes = () => true;
  const no = () => false;

  it('grants synchronously when every requirement has a policy that returns true', () => {
    const policies = registry({ yes, no });
    expect(policies.enforce([['yes'], ['no', 'yes']], principal(), context)).toBe(true);
  });

  it('names the failed requirement: one policy, or the alternatives', () => {
    const policies = registry({ yes, no, other: no });
    const single = denial(() => policies.enforce([['yes'], ['no']], principal(), context));
    expect(single.policies).toEqual(['no']);
    expect(single.message).toBe('The policy no denied access to this resource');
    const any = denial(() => policies.enforce([['no', 'other']], principal(), context));
    expect(any.message).toBe('None of the policies no, other granted access to this resource');
  });

  it('grants only on true: truthy values and forgotten returns deny', () => {
    const policies = registry({
      truthy: (() => 'yes') as unknown as PolicyCheck,
      undefinedResult: (() => undefined) as unknown as PolicyCheck,
    });
    denial(() => policies.enforce([['truthy']], principal(), context));
    denial(() => policies.enforce([['undefinedResult']], principal(), context));
  });

  it('passes the principal and the call context', () => {
    const seen: unknown[] = [];
    const policies = registry({
      spy: (who, ctx) => {
        seen.push(who.subject, ctx);
        return true;
      },
    });
    policies.enforce([['spy']], principal(undefined, 'bob'), context);
    expect(seen).toEqual(['bob', context]);
  });

  it('awaits async policies, and goes on with the next requirement after one', async () => {
    const order: string[] = [];
    const policies = registry({
      slowNo: async () => (order.push('slowNo'), false),
      slowYes: async () => (order.push('slowYes'), true),
      no: () => (order.push('no'), false),
    });
    await expect(
      policies.enforce([['slowNo', 'slowYes'], ['no']], principal(), context),
    ).rejects.toEqual(new PolicyDeniedError(['no']));
    expect(order).toEqual(['slowNo', 'slowYes', 'no']);
    await expect(policies.enforce([['slowYes']], principal(), context)).resolves.toBe(true);
  });

  it("lets a policy's exception out as it is, never as a grant or a refusal", async () => {
    const boom = new Error('directory down');
    const policies = registry({
      throws: () => {
        throw boom;
      },
      rejects: async () => {
        throw boom;
      },
      yes,
    });
    expect(() => policies.enforce([['throws', 'yes']], principal(), context)).toThrow(boom);
    await expect(policies.enforce([['rejects', 'yes']], principal(), context)).rejects.toBe(boom);
  });

  it('registers @AuthPolicy providers with their instance as `this`', () => {
    @AuthPolicy('staff')
    class StaffPolicy {
      readonly staff = ['alice'];
      check(who: OidcPrincipal) {
        return this.staff.includes(who.subject);
      }
    }
    const policies = registry({}, [wrapper(StaffPolicy, new StaffPolicy())]);
    expect(policies.names).toEqual(['staff']);
    expect(policies.enforce([['staff']], principal(), context)).toBe(true);
    denial(() => policies.enforce([['staff']], principal(undefined, 'mallory'), context));
  });

  it('counts one provider class listed in several modules once', () => {
    @AuthPolicy('staff')
    class StaffPolicy {
      check() {
        return true;
      }
    }
    const policies = registry({}, [
      wrapper(StaffPolicy, new StaffPolicy()),
      wrapper(StaffPolicy, new StaffPolicy()),
    ]);
    expect(policies.names).toEqual(['staff']);
  });

  it('refuses at startup a name registered twice, a request-scoped or check-less policy', () => {
    @AuthPolicy('staff')
    class StaffPolicy {
      check() {
        return true;
      }
    }
    @AuthPolicy('staff')
    class OtherStaffPolicy {
      check() {
        return true;
      }
    }
    @AuthPolicy('broken')
    class NoCheck {}
    expect(() =>
      registry({ staff: () => true }, [wrapper(StaffPolicy, new StaffPolicy())]),
    ).toThrow(
      "OidcAuthModule: @AuthPolicy('staff') StaffPolicy registers the policy staff, which is already registered",
    );
    expect(() =>
      registry({}, [
        wrapper(StaffPolicy, new StaffPolicy()),
        wrapper(OtherStaffPolicy, new OtherStaffPolicy()),
      ]),
    ).toThrow('OtherStaffPolicy registers the policy staff, which is already registered');
    expect(() => registry({}, [wrapper(StaffPolicy, undefined, false)])).toThrow(
      "OidcAuthModule: @AuthPolicy('staff') StaffPolicy must be a singleton provider with a check(principal, context) method",
    );
    expect(() => registry({}, [wrapper(NoCheck, new NoCheck())])).toThrow(OidcAuthConfigError);
    expect(() => registry({ notAFunction: 'yes' as unknown as PolicyCheck })).toThrow(
      'OidcAuthModule: policies.notAFunction must be a function (principal, context)',
    );
  });
});

describe('RouteRequirementsCheck', () => {
  const yes = () => true;
  const trusted = [
    { issuer: 'https://partner.example', aliases: ['https://partner.example/'], isTemplate: false },
    { issuer: 'https://idp.example', aliases: [], isTemplate: false },
    {
      issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
      aliases: [],
      isTemplate: true,
    },
  ] as unknown as TrustedIssuer[];

  function check(policies: Record<string, PolicyCheck>, ...controllers: object[]): void {
    const found = discovery(
      [],
      controllers.map((c) => wrapper(c)),
    );
    const verifier = { issuers: trusted } as unknown as TokenVerifier;
    new RouteRequirementsCheck(
      found,
      new Reflector(),
      registry(policies),
      verifier,
      new ProtectedResources(verifier, { issuers: [] }),
    ).onApplicationBootstrap();
  }

  it('refuses a route naming a policy nobody registered, naming both', () => {
    expect(() => check({ sameTenant: yes }, PartnerController)).toThrow(
      'OidcAuthModule: policies has no policy owner, which PartnerController requires (registered: sameTenant)',
    );
    expect(() => check({ sameTenant: yes, owner: yes, admin: yes }, PartnerController)).toThrow(
      'has no policy business-hours, which PartnerController.edit requires',
    );
    expect(() =>
      check(
        { sameTenant: yes, owner: yes, admin: yes, notSuspended: yes, 'business-hours': yes },
        PartnerController,
        PlainController,
      ),
    ).not.toThrow();
  });

  it('refuses an @Issuers value no principal could carry', () => {
    const policies = {
      sameTenant: yes,
      owner: yes,
      admin: yes,
      notSuspended: yes,
      'business-hours': yes,
    };
    @Issuers('https://partner.example/')
    class AliasController {}
    @Issuers('https://typo.example')
    class TypoController {}
    class TemplateController {
      @Issuers('https://login.microsoftonline.com/{tenantid}/v2.0')
      route() {}
    }
    class TenantController {
      @Issuers('https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0')
      route() {}
    }
    expect(() => check(policies, AliasController)).toThrow(
      'OidcAuthModule: @Issuers on AliasController names https://partner.example/, an alias of https://partner.example; list https://partner.example',
    );
    expect(() => check(policies, TypoController)).toThrow(
      'OidcAuthModule: @Issuers on TypoController names https://typo.example, which is not a trusted issuer',
    );
    expect(() => check(policies, TemplateController)).toThrow(
      "@Issuers on TemplateController.route names the template https://login.microsoftonline.com/{tenantid}/v2.0; list the tenants' own issuers",
    );
    expect(() => check(policies, TenantController, PartnerController)).not.toThrow();
  });
});

describe('policy_denied over HTTP', () => {
  it('is 403 insufficient_scope with the reason in the description and no scope', () => {
    const answer = toBearerErrorResponse(new PolicyDeniedError(['sameTenant']), { realm: 'api' });
    expect(answer.status).toBe(403);
    expect(answer.headers['WWW-Authenticate']).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="The policy sameTenant denied access to this resource"',
    );
    expect(answer.body).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'The policy sameTenant denied access to this resource',
    });
  });
});

describe('describing and documenting a route', () => {
  const route = (p: RoutePolicy): RouteEntry => ({
    method: 'GET',
    path: '/x',
    controller: 'X',
    handler: 'x',
    policy: p,
    guardedExplicitly: false,
  });

  it('names issuers, scopes, roles and policies', () => {
    expect(describePolicy(route(policy(PartnerController, 'edit')), true)).toBe(
      'issuer https://partner.example; policy business-hours & notSuspended & sameTenant & (owner | admin)',
    );
    expect(
      describePolicy(
        route({ isPublic: false, scopes: [['a']], roles: [], issuers: ['https://a', 'https://b'] }),
        true,
      ),
    ).toBe('issuer (https://a | https://b); scope a');
  });

  it('annotates an OpenAPI operation, and clears stale annotations', () => {
    const operation: Record<string, unknown> = {};
    annotateAuthorization(operation, policy(PartnerController, 'list'));
    expect(operation).toEqual({
      'x-oidc-policies': [['sameTenant'], ['owner', 'admin']],
      'x-oidc-issuers': ['https://idp.example', 'https://partner.example'],
    });
    annotateAuthorization(operation, policy(PlainController, 'plain'));
    expect(operation).toEqual({});
  });
});
