import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import { authorizedFetch, OidcAuthModule, TokenClient } from '../../../lib/index.js';
import { type DevIdentityProvider } from '../../../sample-app/src/identity-provider/dev-identity-provider.js';
import { startDevIdp } from '../../support/sample-app.js';
import { initApp, PLATFORMS, TEST_CONTROLLERS } from '../../support/test-app.js';

jest.setTimeout(30_000);

// The whole chain with real parts: oidc-provider requiring DPoP nonces at its token endpoint, and a
// Nest API requiring its own (stateless) nonces, both answered by TokenClient and authorizedFetch.
describe.each(PLATFORMS)('a DPoP client against servers that require nonces (%s)', (platform) => {
  let idp: DevIdentityProvider;
  let app: INestApplication;
  let notes: string;
  let apiRequests = 0;

  beforeAll(async () => {
    idp = await startDevIdp({ requireDpopNonce: true });
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: [{ issuer: idp.issuer, audience: 'api://notes' }],
          dpop: { mode: 'required', nonce: { secret: 'n'.repeat(32) } },
          audit: { log: false },
        }),
      ],
      controllers: TEST_CONTROLLERS,
    }).compile();
    app = await initApp(ref, platform);
    await app.listen(0, '127.0.0.1');
    (app.getHttpServer() as Server).on('request', () => apiRequests++);
    notes = `${await app.getUrl()}/notes`;
  });

  afterAll(async () => {
    await app.close();
    await idp.close();
  });

  /** A DPoP client of the provider's service client, finding the token endpoint as `where` says. */
  const serviceClient = (where: { issuer: string } | { tokenEndpoint: string }) =>
    new TokenClient({
      ...where,
      clientId: idp.serviceClient.clientId,
      clientSecret: idp.serviceClient.clientSecret,
      dpop: true,
    });

  it('gets its token and calls the API, answering each nonce challenge once, then keeps the nonces', async () => {
    const client = serviceClient({ issuer: idp.issuer });
    const tokenRequests = idp.requests.token;
    const call = authorizedFetch(client, { resource: 'api://notes', scopes: ['notes:read'] });
    const perCall: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = apiRequests;
      const res = await call(`${notes}?page=${i}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('dpop-nonce')).toEqual(expect.any(String));
      perCall.push(apiRequests - before);
    }
    // use_dpop_nonce first, then accepted; later calls carry the fresh nonce each answer gave.
    expect(perCall).toEqual([2, 1, 1]);
    expect(idp.requests.token - tokenRequests).toBe(2);
  });

  it('answers the API nonce challenge with the nonce of that API, not the token endpoint one', async () => {
    const client = serviceClient({ tokenEndpoint: idp.tokenEndpoint });
    const token = await client.getAppToken({ resource: 'api://notes', scopes: ['notes:read'] });
    // A proof with the token endpoint's nonce (the only one the client has) is refused by the API.
    const proof = await client.dpop!.proof('GET', notes, token);
    const refused = await fetch(notes, {
      headers: { authorization: `DPoP ${token}`, dpop: proof },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/error="use_dpop_nonce"/);
    const res = await authorizedFetch(client, {
      resource: 'api://notes',
      scopes: ['notes:read'],
    })(notes);
    expect(res.status).toBe(200);
  });
});
