import { jest } from '@jest/globals';
import { decodeJwt } from 'jose';
import { authorizedFetch, DpopKey, TokenClient } from '../../../lib/index.js';
import type { SampleApp } from '../../../sample-app/src/server.js';
import { startSample } from '../../support/sample-app.js';

jest.setTimeout(30_000);

// What `npm run demo` shows in step 5, as a test: a DPoP client-credentials call accepted, the
// same token refused without the key, a replayed proof refused.
describe('the sample app with a DPoP-bound client-credentials token', () => {
  let sample: SampleApp;
  let client: TokenClient;
  let token: string;
  let notes: string;
  const target = { scopes: ['notes:read', 'notes:write'] };

  beforeAll(async () => {
    sample = await startSample();
    client = new TokenClient({
      tokenEndpoint: sample.idp!.tokenEndpoint,
      ...sample.idp!.serviceClient,
      dpop: true,
    });
    token = await client.getAppToken(target);
    notes = `${sample.apiUrl}/notes`;
  });

  afterAll(() => sample.close());

  const call = (headers: Record<string, string>, method = 'GET') =>
    fetch(notes, {
      method,
      headers: { ...headers, 'content-type': 'application/json' },
      body: method === 'GET' ? undefined : '{"text":"by a DPoP client"}',
    });

  it('is bound to the client key and accepted through authorizedFetch', async () => {
    expect(decodeJwt(token).cnf).toEqual({ jkt: (await client.dpop!.keyPair()).thumbprint });
    const fetchNotes = authorizedFetch(client, target);
    expect((await fetchNotes(notes)).status).toBe(200);
    const created = await fetchNotes(notes, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":"by a DPoP client"}',
    });
    expect(created.status).toBe(201);
  });

  it('is refused without a proof, with the DPoP challenge', async () => {
    const res = await call({ authorization: `DPoP ${token}` });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/DPoP/);
  });

  it('is refused as a bearer token (no downgrade)', async () => {
    const res = await call({ authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
  });

  it('is refused with a proof by another key', async () => {
    const thief = await DpopKey.generate();
    const proof = thief.proof({ method: 'GET', url: notes, accessToken: token });
    expect((await call({ authorization: `DPoP ${token}`, dpop: proof })).status).toBe(401);
  });

  it('accepts a proof once: the same proof replayed is refused', async () => {
    const proof = await client.dpop!.proof('GET', notes, token);
    expect((await call({ authorization: `DPoP ${token}`, dpop: proof })).status).toBe(200);
    const replayed = await call({ authorization: `DPoP ${token}`, dpop: proof });
    expect(replayed.status).toBe(401);
    expect(replayed.headers.get('www-authenticate')).toMatch(/invalid_dpop_proof/);
  });

  it('refuses a proof made for another method', async () => {
    const proof = await client.dpop!.proof('GET', notes, token);
    expect((await call({ authorization: `DPoP ${token}`, dpop: proof }, 'POST')).status).toBe(401);
  });
});
