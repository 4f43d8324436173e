import {
  Controller,
  Get,
  type INestApplication,
  Injectable,
  Param,
  type Type,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  addOpenApiSecurity,
  AnyPolicy,
  AuthPolicy,
  Issuers,
  OidcAuthModule,
  type OidcAuthModuleOptions,
  type OidcPolicy,
  type OidcPrincipal,
  Policy,
  policyOf,
  Principal,
  Scopes,
} from '../../../lib/index.js';
import { initApp, PLATFORMS, type Platform } from '../../support/test-app.js';
import { DEFAULT_DPOP_CHALLENGE, forbidden } from '../../support/refusals.js';
import { suiteIssuer } from '../../support/suite-fixture.js';
import { trusted } from '../../support/trusted.js';

@Injectable()
class Suspensions {
  readonly subjects = new Set(['mallory']);
}

/** A policy that needs another provider: registered by its decorator, found at startup. */
@AuthPolicy('notSuspended')
@Injectable()
class NotSuspendedPolicy implements OidcPolicy {
  constructor(private readonly suspensions: Suspensions) {}

  check(principal: OidcPrincipal): boolean {
    return !this.suspensions.subjects.has(principal.subject);
  }
}

@Policy('notSuspended')
@Controller('tenants/:tenant/notes')
class TenantNotesController {
  @Policy('sameTenant')
  @Get()
  list(@Param('tenant') tenant: string, @Principal('subject') subject: string) {
    return { tenant, reader: subject };
  }

  @AnyPolicy('owner', 'auditor')
  @Get('history')
  history() {
    return { history: [] };
  }

  @Scopes('notes:export')
  @Policy('counted')
  @Get('export')
  export() {
    return { exported: true };
  }

  @Policy('broken')
  @Get('broken')
  broken() {
    return { reached: true };
  }

  @Policy('brokenLater')
  @Get('broken-later')
  brokenLater() {
    return { reached: true };
  }
}

// @Issuers needs the partner's issuer URL, known only once its LocalIssuer listens.
function partnerController(partner: string, main: string) {
  @Issuers(partner)
  @Controller('partner')
  class PartnerController {
    @Get()
    orders() {
      return { orders: [] };
    }

    @Issuers(partner, main)
    @Get('status')
    status() {
      return { status: 'up' };
    }
  }
  return PartnerController;
}

describe.each(PLATFORMS)('named policies and @Issuers on %s', (platform: Platform) => {
  const main = suiteIssuer();
  const partner = suiteIssuer();
  let app: INestApplication;
  let counted = 0;

  const policies: OidcAuthModuleOptions['policies'] = {
    sameTenant: (principal, context) =>
      context.switchToHttp().getRequest<{ params: { tenant?: string } }>().params.tenant ===
      principal.claims.tenant,
    owner: async (principal) => {
      await new Promise((resolve) => setImmediate(resolve));
      return principal.subject === 'alice';
    },
    auditor: (principal) => principal.hasRole('auditor'),
    counted: () => (counted++, true),
    broken: () => {
      throw new Error('tenant directory down at 10.0.0.7');
    },
    brokenLater: async () => {
      throw new Error('tenant directory down at 10.0.0.7');
    },
  };

  async function boot(
    options: Partial<OidcAuthModuleOptions> = {},
    extraControllers: Type[] = [],
  ): Promise<INestApplication> {
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: trusted(main, partner),
          policies,
          audit: { log: false },
          ...options,
        }),
      ],
      controllers: [
        TenantNotesController,
        partnerController(partner.issuer, main.issuer),
        ...extraControllers,
      ],
      providers: [Suspensions, NotSuspendedPolicy],
    }).compile();
    return initApp(ref, platform);
  }

  beforeAll(async () => {
    app = await boot();
  });

  afterAll(async () => {
    await app.close();
  });

  async function get(path: string, claims?: Record<string, unknown>, from = main) {
    const req = request(app.getHttpServer()).get(path);
    return claims ? await req.set('Authorization', `Bearer ${await from.mint(claims)}`) : await req;
  }

  it('runs a policy with the principal and the call, and answers 403 naming it when it denies', async () => {
    const ok = await get('/tenants/acme/notes', { sub: 'bob', tenant: 'acme' });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ tenant: 'acme', reader: 'bob' });
    const res = await get('/tenants/globex/notes', { sub: 'bob', tenant: 'acme' });
    expect({
      status: res.status,
      challenge: res.headers['www-authenticate'],
      body: res.body,
    }).toEqual(forbidden('The policy sameTenant denied access to this resource'));
  });

  it("applies the controller's @AuthPolicy provider, which uses another provider", async () => {
    const res = await get('/tenants/acme/notes', { sub: 'mallory', tenant: 'acme' });
    expect(res.status).toBe(403);
    expect(res.body.message).toBe('The policy notSuspended denied access to this resource');
  });

  it('grants @AnyPolicy through any one of its policies, async ones included', async () => {
    expect((await get('/tenants/acme/notes/history', { sub: 'alice' })).status).toBe(200);
    expect(
      (await get('/tenants/acme/notes/history', { sub: 'bob', roles: ['auditor'] })).status,
    ).toBe(200);
    const res = await get('/tenants/acme/notes/history', { sub: 'carol' });
    expect(res.status).toBe(403);
    expect(res.body.message).toBe(
      'None of the policies owner, auditor granted access to this resource',
    );
  });

  it('checks scopes first: a call without the scope never reaches the policy', async () => {
    const before = counted;
    const res = await get('/tenants/acme/notes/export', { sub: 'bob' });
    expect(res.status).toBe(403);
    expect(res.body.message).toBe('This resource requires the scope notes:export');
    expect(counted).toBe(before);
    expect(
      (await get('/tenants/acme/notes/export', { sub: 'bob', scope: 'notes:export' })).status,
    ).toBe(200);
    expect(counted).toBe(before + 1);
  });

  it("answers a policy's exception as the application's 500, never a grant, never its message", async () => {
    for (const path of ['/tenants/acme/notes/broken', '/tenants/acme/notes/broken-later']) {
      const res = await get(path, { sub: 'bob' });
      expect(res.status).toBe(500);
      expect(JSON.stringify(res.body)).not.toContain('10.0.0.7');
      expect(res.body.reached).toBeUndefined();
    }
  });

  it("takes only the partner's tokens on a route restricted to it, with 401 invalid_token otherwise", async () => {
    expect((await get('/partner', { sub: 'svc' }, partner)).status).toBe(200);
    const res = await get('/partner', { sub: 'svc' }, main);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(
      `Bearer realm="api", error="invalid_token", error_description="This resource does not accept tokens of the issuer that signed this one", ${DEFAULT_DPOP_CHALLENGE}`,
    );
  });

  it("lets a handler's @Issuers replace its controller's", async () => {
    expect((await get('/partner/status', { sub: 'svc' }, partner)).status).toBe(200);
    expect((await get('/partner/status', { sub: 'svc' }, main)).status).toBe(200);
  });

  it('names policies and issuers in policyOf and in the OpenAPI document', () => {
    expect(policyOf(app)).toMatchObject({
      'GET /tenants/:tenant/notes': 'policy sameTenant & notSuspended',
      'GET /tenants/:tenant/notes/history': 'policy notSuspended & (owner | auditor)',
      'GET /tenants/:tenant/notes/export': 'scope notes:export; policy counted & notSuspended',
      'GET /partner': `issuer ${partner.issuer}`,
      'GET /partner/status': `issuer (${partner.issuer} | ${main.issuer})`,
    });
    const document = addOpenApiSecurity(
      { paths: { '/tenants/{tenant}/notes/history': { get: {} }, '/partner': { get: {} } } },
      app,
      { scheme: 'oauth2' },
    );
    expect(document.paths['/tenants/{tenant}/notes/history'].get).toEqual({
      security: [{ oauth2: [] }],
      'x-oidc-policies': [['notSuspended'], ['owner', 'auditor']],
    });
    expect(document.paths['/partner'].get).toEqual({
      security: [{ oauth2: [] }],
      'x-oidc-issuers': [partner.issuer],
    });
  });

  it('takes policies from forRootAsync as from forRoot', async () => {
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRootAsync({
          useFactory: async () => ({
            issuers: trusted(main),
            policies: { ...policies, sameTenant: () => false },
            audit: { log: false },
          }),
        }),
      ],
      controllers: [TenantNotesController],
      providers: [Suspensions, NotSuspendedPolicy],
    }).compile();
    const asyncApp = await initApp(ref, platform);
    try {
      const token = await main.mint({ sub: 'bob', tenant: 'acme' });
      const res = await request(asyncApp.getHttpServer())
        .get('/tenants/acme/notes')
        .set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(403);
      expect(res.body.message).toBe('The policy sameTenant denied access to this resource');
    } finally {
      await asyncApp.close();
    }
  });

  it('refuses to start while a route names a policy nobody registered', async () => {
    const { sameTenant, ...withoutSameTenant } = policies ?? {};
    expect(sameTenant).toBeDefined();
    await expect(boot({ policies: withoutSameTenant })).rejects.toThrow(
      'OidcAuthModule: policies has no policy sameTenant, which TenantNotesController.list requires',
    );
  });

  it('refuses to start while @Issuers names an issuer the module does not trust', async () => {
    @Issuers('https://partner.example')
    @Controller('typo')
    class TypoController {
      @Get() typo() {
        return {};
      }
    }
    await expect(boot({}, [TypoController])).rejects.toThrow(
      'OidcAuthModule: @Issuers on TypoController names https://partner.example, which is not a trusted issuer',
    );
  });

  it('counts named policies, but not an issuer restriction alone, for audit.requirePolicy', async () => {
    await expect(boot({ audit: { log: false, requirePolicy: true } })).rejects.toThrow(
      'OidcAuthModule: audit.requirePolicy is set, but these routes have no @Scopes, @Roles, @Policy or @Public: GET /partner, GET /partner/status',
    );
  });
});
