import { Test } from '@nestjs/testing';
import request from 'supertest';
import { oidc } from '../../../lib/index.js';
import { LocalIssuer, useLocalIssuer } from '../../../lib/testing/index.js';
import { AppModule } from '../../../sample-app/src/app.module.js';

// The notes API tested the way its README suggests to its users: no identity provider at all.
describe('sample app under the testing kit', () => {
  it('serves notes to a minted reader and refuses deletion to a non-admin', async () => {
    const issuer = await LocalIssuer.start({ audience: 'api://notes' });
    const moduleRef = await useLocalIssuer(
      Test.createTestingModule({
        imports: [
          AppModule.forIssuers(
            [oidc({ issuer: 'https://idp.example.invalid', audience: 'api://notes' })],
            { api: 'http://127.0.0.1:3000' },
          ),
        ],
      }),
      issuer,
    ).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const server = app.getHttpServer();
    const reader = await issuer.mintToken({ sub: 'bob', scopes: ['notes:read', 'notes:write'] });
    const created = await request(server)
      .post('/notes')
      .set('Authorization', `Bearer ${reader}`)
      .send({ text: 'hello' });
    expect(created.status).toBe(201);
    expect(
      (await request(server).get('/notes').set('Authorization', `Bearer ${reader}`)).body,
    ).toEqual([{ id: 1, text: 'hello', author: 'bob' }]);
    expect(
      (await request(server).delete('/notes/1').set('Authorization', `Bearer ${reader}`)).status,
    ).toBe(403);
    const admin = await issuer.mintToken({ sub: 'alice', roles: ['admin'] });
    expect(
      (await request(server).delete('/notes/1').set('Authorization', `Bearer ${admin}`)).status,
    ).toBe(204);
    await app.close();
    await issuer.close();
  });
});
