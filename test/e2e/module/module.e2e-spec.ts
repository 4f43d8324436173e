import { Controller, Get, type Type, UseGuards } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { Test } from '@nestjs/testing';
import { SignJWT } from 'jose';
import request from 'supertest';
import { RpcException } from '@nestjs/microservices';
import { WsException } from '@nestjs/websockets';
import {
  GraphQLRefusal,
  OidcAuthConfigError,
  OidcAuthGuard,
  OidcAuthModule,
  type OidcPrincipal,
  Principal,
} from '../../../lib/index.js';
import { appsOn, createTestApp, PLATFORMS } from '../../support/test-app.js';
import { suiteIssuer } from '../../support/suite-fixture.js';
import { trusted } from '../../support/trusted.js';
import { passportController } from '../../support/passport-controller.js';
import { refusalError } from '../../support/refusals.js';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe.each(PLATFORMS)('OidcAuthModule (%s)', (platform) => {
  const appWith = appsOn(platform);
  const first = suiteIssuer({ audience: 'api://first' });
  const second = suiteIssuer({ audience: 'api://second' });

  it('trusts several issuers at once, each with its own audience', async () => {
    const app = await appWith({
      issuers: trusted(first, second),
    });
    const server = app.getHttpServer();
    const fromFirst = await request(server)
      .get('/me')
      .set(bearer(await first.mint()));
    const fromSecond = await request(server)
      .get('/me')
      .set(bearer(await second.mint()));
    expect([fromFirst.status, fromSecond.status]).toEqual([200, 200]);
    expect([fromFirst.body.issuer, fromSecond.body.issuer]).toEqual([first.issuer, second.issuer]);
    const crossed = await request(server)
      .get('/me')
      .set(bearer(await first.mint({ aud: second.audience })));
    expect(crossed.status).toBe(401);
    await app.close();
  });

  it('refuses a token whose header names one issuer key but whose iss names another issuer', async () => {
    const app = await appWith({
      issuers: [
        { issuer: first.issuer, audience: first.audience },
        { issuer: second.issuer, audience: [first.audience, second.audience] },
      ],
    });
    // Signed by the first issuer's key but claiming to come from the second.
    const token = await first.mint({ iss: second.issuer }, { kid: first.currentKid });
    const res = await request(app.getHttpServer()).get('/me').set(bearer(token));
    expect(res.status).toBe(401);
    await app.close();
  });

  it('is configured by forRootAsync from ConfigService', async () => {
    const app = await createTestApp(
      OidcAuthModule.forRootAsync({
        imports: [
          ConfigModule.forRoot({
            ignoreEnvFile: true,
            load: [() => ({ OIDC_ISSUER: first.issuer, OIDC_AUDIENCE: first.audience })],
          }),
        ],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => ({
          issuers: [
            {
              issuer: config.getOrThrow<string>('OIDC_ISSUER'),
              audience: config.getOrThrow<string>('OIDC_AUDIENCE'),
            },
          ],
        }),
      }),
      {},
      platform,
    );
    const res = await request(app.getHttpServer())
      .get('/me')
      .set(bearer(await first.mint()));
    expect(res.status).toBe(200);
    expect((await request(app.getHttpServer()).get('/me')).status).toBe(401);
    await app.close();
  });

  it('checks options that arrive through forRootAsync just as strictly', async () => {
    await expect(
      createTestApp(
        OidcAuthModule.forRootAsync({
          imports: [
            ConfigModule.forRoot({
              ignoreEnvFile: true,
              load: [() => ({ ISSUER: 'idp.example' })],
            }),
          ],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            issuers: [{ issuer: config.getOrThrow<string>('ISSUER'), audience: 'api' }],
          }),
        }),
        {},
        platform,
      ),
    ).rejects.toThrow(
      'OidcAuthModule: issuers[0].issuer must be an absolute URL, got "idp.example"',
    );
  });

  it('verifies against a static key set without any network access', async () => {
    const before = { ...first.requests };
    const app = await appWith({
      issuers: [{ issuer: first.issuer, audience: first.audience, jwks: first.jwks() }],
    });
    const res = await request(app.getHttpServer())
      .get('/me')
      .set(bearer(await first.mint()));
    expect(res.status).toBe(200);
    expect(first.requests).toEqual(before);
    await app.close();
  });

  it('accepts HS256 only from an issuer configured with a shared secret', async () => {
    const secret = 'a-shared-secret-of-at-least-32-bytes!';
    const app = await appWith({
      issuers: [{ issuer: 'https://internal.example', audience: 'api://internal', secret }],
    });
    const now = Math.floor(Date.now() / 1000);
    const signedWith = (key: string) =>
      new SignJWT({
        sub: 'svc',
        aud: 'api://internal',
        iss: 'https://internal.example',
        exp: now + 60,
      })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(Buffer.from(key));
    const token = await signedWith(secret);
    expect((await request(app.getHttpServer()).get('/me').set(bearer(token))).status).toBe(200);
    const wrong = await signedWith('another-secret-of-at-least-32-bytes!!');
    expect((await request(app.getHttpServer()).get('/me').set(bearer(wrong))).status).toBe(401);
    await app.close();
  });

  it('stops the application at startup when the options cannot work', async () => {
    await expect(appWith({ issuers: [{ issuer: first.issuer, audience: '' }] })).rejects.toThrow(
      /^OidcAuthModule: issuers\[0\]\.audience is required/,
    );
    await expect(appWith({ issuers: [{ issuer: 'not a url', audience: 'x' }] })).rejects.toThrow(
      OidcAuthConfigError,
    );
    await expect(
      appWith({ issuers: [{ issuer: first.issuer, audience: 'x', algorithms: ['HS256'] }] }),
    ).rejects.toThrow(/issuers\[0\]\.algorithms has HS256, which needs a shared secret/);
    await expect(appWith({ issuers: [] })).rejects.toThrow(/issuers must list at least one/);
    await expect(
      appWith({
        issuers: [{ issuer: first.issuer, audience: 'x' }],
        websocket: { queryParameter: '' },
      }),
    ).rejects.toThrow('OidcAuthModule: websocket.queryParameter must be a non-empty string');
  });

  /** An app of `controller` alone, trusting `first`, with the module's guard left to the routes. */
  const withoutGlobalGuard = (controller: Type) =>
    createTestApp(
      OidcAuthModule.forRoot({ issuers: trusted(first), globalGuard: false }),
      { controllers: [controller] },
      platform,
    );

  it('leaves guarding to @UseGuards(OidcAuthGuard) when globalGuard is false', async () => {
    @Controller('guarded')
    class GuardedController {
      @UseGuards(OidcAuthGuard)
      @Get()
      guarded(@Principal('subject') subject: string) {
        return { subject };
      }

      @Get('unguarded')
      unguarded() {
        return { open: true };
      }
    }
    const app = await withoutGlobalGuard(GuardedController);
    const server = app.getHttpServer();
    expect((await request(server).get('/guarded/unguarded')).status).toBe(200);
    expect((await request(server).get('/guarded')).status).toBe(401);
    const res = await request(server)
      .get('/guarded')
      .set(bearer(await first.mint({ sub: 'carol' })));
    expect(res.body).toEqual({ subject: 'carol' });
    await app.close();
  });

  it("registers a passport strategy for AuthGuard('oidc-auth') compositions", async () => {
    const PassportController = passportController((user) => ({
      subject: user.subject,
      scopes: [...user.scopes],
    }));
    const app = await withoutGlobalGuard(PassportController);
    const server = app.getHttpServer();
    const ok = await request(server)
      .get('/passport')
      .set(bearer(await first.mint({ sub: 'dave', scope: 'a b' })));
    expect(ok.body).toEqual({ subject: 'dave', scopes: ['a', 'b'] });
    for (const token of [
      await first.mint({ aud: 'api://elsewhere' }),
      await first.mint({}, { expiresIn: null }),
      await second.mint(),
      // jsonwebtoken alone would take these; the core verifying first refuses them.
      await first.mint({ sub: undefined }),
      await first.mint({ sub: '' }),
      // DPoP-bound: the strategy reads no proof, so it must not take the token as a bearer one.
      await first.mint({ cnf: { jkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' } }),
    ]) {
      expect((await request(server).get('/passport').set(bearer(token))).status).toBe(401);
    }
    await app.close();
  });

  it('denies a context type it does not know, and refuses other transports without credentials in their own terms', async () => {
    const ref = await Test.createTestingModule({
      imports: [OidcAuthModule.forRoot({ issuers: trusted(first) })],
    }).compile();
    const guard = ref.get(OidcAuthGuard);
    class Gateway {
      handle(_principal?: OidcPrincipal) {
        return 'data';
      }
    }
    const contextOf = (type: string) => {
      const context = new ExecutionContextHost([{}, {}, {}, {}], Gateway, Gateway.prototype.handle);
      context.setType(type);
      return context;
    };
    for (const type of ['kafka-streams', 'grpc-web']) {
      expect(await guard.canActivate(contextOf(type))).toBe(false);
    }
    const refusal = (type: string) =>
      Promise.resolve()
        .then(() => guard.canActivate(contextOf(type)))
        .then(
          () => undefined,
          (err: unknown) => err,
        );
    const unauthorized = refusalError(401, 'unauthorized', 'This resource requires a bearer token');
    const ws = await refusal('ws');
    expect(ws).toBeInstanceOf(WsException);
    expect((ws as WsException).getError()).toEqual(unauthorized);
    const rpc = await refusal('rpc');
    expect(rpc).toBeInstanceOf(RpcException);
    expect((rpc as RpcException).getError()).toEqual(unauthorized);
    const graphql = await refusal('graphql');
    expect(graphql).toBeInstanceOf(GraphQLRefusal);
    expect((graphql as GraphQLRefusal).extensions).toEqual({
      code: 'UNAUTHENTICATED',
      status: 401,
    });
    await ref.close();
  });
});
