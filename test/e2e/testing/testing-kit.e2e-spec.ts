import { Test } from '@nestjs/testing';
import request from 'supertest';
import { auth0, OidcAuthModule } from '../../../lib/index.js';
import { LocalIssuer, type ProviderShape, useLocalIssuer } from '../../../lib/testing/index.js';
import { appsOn, initApp, PLATFORMS, TEST_CONTROLLERS } from '../../support/test-app.js';

const SHAPES: ProviderShape[] = ['generic', 'azure-ad', 'auth0', 'keycloak', 'okta', 'cognito'];

describe.each(PLATFORMS)('testing kit: provider-shaped tokens (%s)', (platform) => {
  const appWith = appsOn(platform);
  it.each(SHAPES)('%s tokens pass through the matching claim mapping', async (provider) => {
    const issuer = await LocalIssuer.start({ provider });
    const app = await appWith({ issuers: [issuer.issuerOptions()] });
    const server = app.getHttpServer();
    const as = async (who: Parameters<LocalIssuer['mintToken']>[0]) =>
      `Bearer ${await issuer.mintToken(who)}`;

    const alice = await as({ sub: 'alice', scopes: ['notes:read'], roles: ['admin'] });
    expect((await request(server).get('/notes').set('Authorization', alice)).status).toBe(200);
    expect((await request(server).delete('/notes/1').set('Authorization', alice)).status).toBe(200);
    expect((await request(server).post('/notes').set('Authorization', alice)).status).toBe(403);

    const bob = await as({ sub: 'bob', scopes: ['notes:read'] });
    expect((await request(server).delete('/notes/1').set('Authorization', bob)).status).toBe(403);

    const service = await as({ appOnly: true, clientId: 'test-client', scopes: ['notes:write'] });
    const me = await request(server).get('/me').set('Authorization', service);
    expect(me.body).toMatchObject({ isAppOnly: true, clientId: 'test-client' });
    expect((await request(server).post('/notes').set('Authorization', service)).status).toBe(201);

    await app.close();
    await issuer.close();
  });

  it('keycloak ID tokens are refused like the preset refuses them, with a 401 that says why', async () => {
    const issuer = await LocalIssuer.start({ provider: 'keycloak' });
    const app = await appWith({ issuers: [issuer.issuerOptions()] });
    const me = (token: string) =>
      request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);
    expect((await me(await issuer.mintToken({ sub: 'alice' }))).status).toBe(200);
    const idToken = await issuer.mintToken({ sub: 'alice', claims: { typ: 'ID' } });
    const refused = await me(idToken);
    expect(refused.status).toBe(401);
    expect(refused.body.message).toBe(
      'The token must be a Keycloak access token (typ Bearer), not an ID or refresh token',
    );
    await app.close();
    await issuer.close();
  });

  it('google tokens identify users and service accounts', async () => {
    const issuer = await LocalIssuer.start({ provider: 'google' });
    const app = await appWith({ issuers: [issuer.issuerOptions()] });
    const me = (token: string) =>
      request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);
    expect((await me(await issuer.mintToken({ sub: 'alice' }))).body).toMatchObject({
      subject: 'alice',
      isAppOnly: false,
    });
    expect((await me(await issuer.mintToken({ appOnly: true }))).body).toMatchObject({
      isAppOnly: true,
    });
    await app.close();
    await issuer.close();
  });
});

describe.each(PLATFORMS)('testing kit: useLocalIssuer (%s)', (platform) => {
  it('makes an application configured for a real provider trust the local issuer instead', async () => {
    const issuer = await LocalIssuer.start();
    const moduleRef = await useLocalIssuer(
      Test.createTestingModule({
        imports: [
          OidcAuthModule.forRoot({
            issuers: [auth0({ domain: 'tenant.example.invalid', audience: 'https://api.example' })],
          }),
        ],
        controllers: TEST_CONTROLLERS,
      }),
      issuer,
    ).compile();
    const app = await initApp(moduleRef, platform);
    const token = await issuer.mintToken({ sub: 'carol', scopes: ['notes:read'] });
    const res = await request(app.getHttpServer())
      .get('/notes')
      .set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(issuer.requests.jwks).toBe(1);
    await app.close();
    await issuer.close();
  });
});
