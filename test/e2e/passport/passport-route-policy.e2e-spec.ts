import { Controller, Get, type INestApplication, UseGuards } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  Issuers,
  OIDC_AUTH_STRATEGY,
  OidcAuthModule,
  Policy,
  Principal,
  ProtectedResource,
  RequireAuthentication,
  Roles,
  Scopes,
} from '../../../lib/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { initApp, PLATFORMS } from '../../support/test-app.js';

// What applications write to give the strategy their own behaviour (or just a name).
class OidcJwtGuard extends AuthGuard(OIDC_AUTH_STRATEGY) {}

// Classes are made per application: the module binds its guard into the handlers' metadata, and a
// class an earlier application carried it into would pass whether or not this one binds it.
function passportController(partner: string) {
  @UseGuards(AuthGuard(OIDC_AUTH_STRATEGY))
  @Controller('passport')
  class PassportController {
    @Get('plain')
    plain(@Principal('subject') subject: string) {
      return { subject };
    }

    @Scopes('notes:read')
    @Get('scoped')
    scoped() {
      return { ok: true };
    }

    @Roles('admin')
    @Get('admin')
    admin() {
      return { ok: true };
    }

    @Issuers(partner)
    @Get('partner')
    partner() {
      return { ok: true };
    }

    @RequireAuthentication({ acr: ['mfa'] })
    @Get('mfa')
    mfa() {
      return { ok: true };
    }

    @Policy('sameTenant')
    @Get('tenants/:tenant')
    tenant() {
      return { ok: true };
    }
  }

  @Controller('subclassed')
  class SubclassedController {
    @UseGuards(OidcJwtGuard)
    @Scopes('notes:read')
    @Get()
    scoped() {
      return { ok: true };
    }
  }
  return [PassportController, SubclassedController];
}

describe.each(PLATFORMS)("route policy behind AuthGuard('oidc-auth') (%s)", (platform) => {
  let issuer: LocalIssuer;
  let partner: LocalIssuer;
  let app: INestApplication;

  const options = (): Parameters<typeof OidcAuthModule.forRoot>[0] => ({
    issuers: [
      { issuer: issuer.issuer, audience: issuer.audience },
      { issuer: partner.issuer, audience: partner.audience },
    ],
    globalGuard: false,
    policies: {
      sameTenant: (principal, context) =>
        context.switchToHttp().getRequest<{ params: { tenant?: string } }>().params.tenant ===
        principal.claims.tenant,
    },
  });

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
    partner = await LocalIssuer.start();
    const ref = await Test.createTestingModule({
      imports: [OidcAuthModule.forRoot(options())],
      controllers: passportController(partner.issuer),
    }).compile();
    app = await initApp(ref, platform);
  });

  afterAll(async () => {
    await app.close();
    await issuer.stop();
    await partner.stop();
  });

  const get = async (path: string, token?: string) => {
    const call = request(app.getHttpServer()).get(path);
    return token ? call.set('Authorization', `Bearer ${token}`) : call;
  };

  it('still authenticates with passport, and takes a route without policy', async () => {
    expect((await get('/passport/plain')).status).toBe(401);
    const res = await get('/passport/plain', await issuer.mintToken({ sub: 'alice' }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ subject: 'alice' });
  });

  it('enforces @Scopes, answering like the guard (403 insufficient_scope)', async () => {
    const refused = await get('/passport/scoped', await issuer.mintToken({ scopes: ['other'] }));
    expect(refused.status).toBe(403);
    expect(refused.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
    expect(refused.headers['www-authenticate']).toMatch(/scope="notes:read"/);
    const granted = await get(
      '/passport/scoped',
      await issuer.mintToken({ scopes: ['notes:read'] }),
    );
    expect(granted.status).toBe(200);
  });

  it('enforces @Roles', async () => {
    expect((await get('/passport/admin', await issuer.mintToken({ roles: ['user'] }))).status).toBe(
      403,
    );
    expect(
      (await get('/passport/admin', await issuer.mintToken({ roles: ['admin'] }))).status,
    ).toBe(200);
  });

  it('enforces @Issuers: a token of another trusted issuer is refused', async () => {
    const other = await get('/passport/partner', await issuer.mintToken({}));
    expect(other.status).toBe(401);
    expect(other.body.message).toBe(
      'This resource does not accept tokens of the issuer that signed this one',
    );
    expect((await get('/passport/partner', await partner.mintToken({}))).status).toBe(200);
  });

  it('enforces @RequireAuthentication with the step-up challenge', async () => {
    const weak = await get('/passport/mfa', await issuer.mint({ acr: 'pwd' }));
    expect(weak.status).toBe(401);
    expect(weak.headers['www-authenticate']).toMatch(/error="insufficient_user_authentication"/);
    expect((await get('/passport/mfa', await issuer.mint({ acr: 'mfa' }))).status).toBe(200);
  });

  it('runs named @Policy checks with the call context', async () => {
    const token = await issuer.mint({ tenant: 'acme' });
    const denied = await get('/passport/tenants/globex', token);
    expect(denied.status).toBe(403);
    expect(denied.body.message).toBe('The policy sameTenant denied access to this resource');
    expect((await get('/passport/tenants/acme', token)).status).toBe(200);
  });

  it('enforces policy behind a subclass of the passport guard too', async () => {
    expect((await get('/subclassed', await issuer.mintToken({ scopes: ['x'] }))).status).toBe(403);
    expect(
      (await get('/subclassed', await issuer.mintToken({ scopes: ['notes:read'] }))).status,
    ).toBe(200);
  });

  it('enforces policy behind the passport guard registered as APP_GUARD, on every route', async () => {
    @Controller('global')
    class GlobalController {
      @Scopes('notes:read')
      @Get()
      scoped() {
        return { ok: true };
      }
    }
    const ref = await Test.createTestingModule({
      imports: [OidcAuthModule.forRoot(options())],
      controllers: [GlobalController],
      providers: [{ provide: APP_GUARD, useClass: OidcJwtGuard }],
    }).compile();
    const global = await initApp(ref, platform);
    const server = global.getHttpServer();
    const call = async (scopes: string[]) =>
      request(server)
        .get('/global')
        .set('Authorization', `Bearer ${await issuer.mintToken({ scopes })}`);
    expect((await request(server).get('/global')).status).toBe(401);
    expect((await call(['other'])).status).toBe(403);
    expect((await call(['notes:read'])).status).toBe(200);
    await global.close();
  });

  it('keeps a token for another protected resource out, behind the passport guard too', async () => {
    const mcp = 'https://api.example.test/mcp';
    @ProtectedResource('mcp')
    @UseGuards(AuthGuard(OIDC_AUTH_STRATEGY))
    @Controller('mcp')
    class McpController {
      @Get()
      call() {
        return { ok: true };
      }
    }
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          ...options(),
          issuers: [{ issuer: issuer.issuer, audience: [issuer.audience, mcp] }],
          protectedResources: { mcp: { resource: mcp } },
        }),
      ],
      controllers: [McpController],
    }).compile();
    const withResources = await initApp(ref, platform);
    const call = async (aud: string) =>
      request(withResources.getHttpServer())
        .get('/mcp')
        .set('Authorization', `Bearer ${await issuer.mint({ aud })}`);
    const refused = await call(issuer.audience);
    expect(refused.status).toBe(401);
    expect(refused.body.message).toBe('The token is not meant for this resource (audience)');
    expect((await call(mcp)).status).toBe(200);
    await withResources.close();
  });

  it('refuses to start where policy sits behind a passport guard of other strategies', async () => {
    @Controller('composed')
    class ComposedController {
      @UseGuards(AuthGuard([OIDC_AUTH_STRATEGY, 'api-key']))
      @Scopes('notes:read')
      @Get()
      composed() {
        return { ok: true };
      }
    }
    await expect(
      Test.createTestingModule({
        imports: [OidcAuthModule.forRoot(options())],
        controllers: [ComposedController],
      }).compile(),
    ).rejects.toThrow(
      "OidcAuthModule: route ComposedController.composed declares route policy behind a passport guard of other strategies than 'oidc-auth'",
    );
  });
});
