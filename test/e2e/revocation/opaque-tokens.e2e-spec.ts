import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { OidcAuthModule, OidcRevocations } from '../../../lib/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { LocalIntrospectionEndpoint } from '../../support/introspection-endpoint.js';
import { initApp, PLATFORMS, TEST_CONTROLLERS } from '../../support/test-app.js';

const CLIENT = { clientId: 'notes-api', clientSecret: 'notes-api-secret' };

describe.each(PLATFORMS)('revocation of introspected opaque tokens (%s)', (platform) => {
  let issuer: LocalIssuer;
  let endpoint: LocalIntrospectionEndpoint;
  let app: INestApplication;

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
    endpoint = await LocalIntrospectionEndpoint.start();
    endpoint.credentials = CLIENT;
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: [issuer.issuerOptions({ introspection: { ...CLIENT, endpoint: endpoint.url } })],
          warmUp: false,
          revocation: {},
        }),
      ],
      controllers: TEST_CONTROLLERS,
    }).compile();
    app = await initApp(ref, platform);
  });

  afterAll(async () => {
    await app.close();
    await endpoint.stop();
    await issuer.close();
  });

  const me = (token: string) =>
    request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);

  it('refuses a token whose cached introspection result is still active once its client is revoked', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = endpoint.issue({
      iss: issuer.issuer,
      aud: issuer.audience,
      sub: 'user-1',
      client_id: 'notes-web',
      iat: now - 10,
      exp: now + 300,
    });
    expect((await me(token)).status).toBe(200);
    expect((await me(token)).status).toBe(200);
    const calls = endpoint.calls;

    await app.get(OidcRevocations).revokeClient(issuer.issuer, 'notes-web');
    const refused = await me(token);
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toContain('The token was revoked (client-revoked)');
    // Refused from the cached result: the endpoint, which still says active, was not asked.
    expect(endpoint.calls).toBe(calls);
  });
});
