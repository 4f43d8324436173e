import request from 'supertest';
import { LocalIssuer, type ProviderShape } from '../../../lib/testing/index.js';
import { appsOn, auth0AppOnLocalIssuer, PLATFORMS } from '../../support/test-app.js';

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

  /** An app trusting a new issuer of `provider`'s shape, and a call of its /me with a token. */
  async function providerApp(provider: ProviderShape) {
    const issuer = await LocalIssuer.start({ provider });
    const app = await appWith({ issuers: [issuer.issuerOptions()] });
    const me = async (who: Parameters<LocalIssuer['mintToken']>[0]) =>
      request(app.getHttpServer())
        .get('/me')
        .set('Authorization', `Bearer ${await issuer.mintToken(who)}`);
    const close = async () => {
      await app.close();
      await issuer.close();
    };
    return { me, close };
  }

  it('keycloak ID tokens are refused like the preset refuses them, with a 401 that says why', async () => {
    const { me, close } = await providerApp('keycloak');
    expect((await me({ sub: 'alice' })).status).toBe(200);
    const refused = await me({ sub: 'alice', claims: { typ: 'ID' } });
    expect(refused.status).toBe(401);
    expect(refused.body.message).toBe(
      'The token must be a Keycloak access token (typ Bearer), not an ID or refresh token',
    );
    await close();
  });

  it('google tokens identify users and service accounts', async () => {
    const { me, close } = await providerApp('google');
    expect((await me({ sub: 'alice' })).body).toMatchObject({
      subject: 'alice',
      isAppOnly: false,
    });
    expect((await me({ appOnly: true })).body).toMatchObject({
      isAppOnly: true,
    });
    await close();
  });
});

describe.each(PLATFORMS)('testing kit: useLocalIssuer (%s)', (platform) => {
  it('makes an application configured for a real provider trust the local issuer instead', async () => {
    const issuer = await LocalIssuer.start();
    const app = await auth0AppOnLocalIssuer(issuer, 'https://api.example', platform);
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
