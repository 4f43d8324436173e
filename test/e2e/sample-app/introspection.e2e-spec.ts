import { jest } from '@jest/globals';
import { TokenClient } from '../../../lib/index.js';
import type { SampleApp } from '../../../sample-app/src/server.js';
import { LocalRedis } from '../../support/redis-server.js';
import { startSample } from '../../support/sample-app.js';

jest.setTimeout(30_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Idp = NonNullable<SampleApp['idp']>;

function call(sample: SampleApp, path: string, token: string): Promise<Response> {
  return fetch(`${sample.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
}

/** A fresh opaque token of the embedded provider's reporting client. */
function opaqueToken(idp: Idp, scopes = ['notes:read']): Promise<string> {
  return new TokenClient({ tokenEndpoint: idp.tokenEndpoint, ...idp.opaqueClient }).getAppToken({
    scopes,
  });
}

async function revoke(idp: Idp, token: string): Promise<void> {
  const { clientId, clientSecret } = idp.opaqueClient;
  const res = await fetch(idp.revocationEndpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
  });
  expect(res.status).toBe(200);
}

describe('sample app: opaque tokens of its embedded provider, introspected', () => {
  let sample: SampleApp;
  let idp: Idp;

  beforeAll(async () => {
    sample = await startSample({ INTROSPECTION_MAX_AGE_MS: '500' });
    idp = sample.idp!;
  });

  afterAll(() => sample.close());

  it('accepts the reporting client’s opaque token, with its scopes, as app-only', async () => {
    const token = await opaqueToken(idp);
    expect(token.split('.')).toHaveLength(1);
    expect((await call(sample, '/notes', token)).status).toBe(200);
    const me = (await (await call(sample, '/me', token)).json()) as Record<string, unknown>;
    expect(me).toMatchObject({
      subject: idp.opaqueClient.clientId,
      clientId: idp.opaqueClient.clientId,
      isAppOnly: true,
      scopes: ['notes:read'],
    });
    const write = await fetch(`${sample.apiUrl}/notes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'not allowed' }),
    });
    expect(write.status).toBe(403);
  });

  it('keeps verifying the service client’s JWTs locally, asking the provider nothing', async () => {
    const jwt = await new TokenClient({
      tokenEndpoint: idp.tokenEndpoint,
      ...idp.serviceClient,
    }).getAppToken({ scopes: ['notes:read'] });
    const before = idp.requests.introspection;
    expect((await call(sample, '/notes', jwt)).status).toBe(200);
    expect(idp.requests.introspection).toBe(before);
  });

  it('asks the provider once for concurrent first uses of one token', async () => {
    const token = await opaqueToken(idp);
    const before = idp.requests.introspection;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => call(sample, '/notes', token)),
    );
    expect(answers.map((res) => res.status)).toEqual(Array(10).fill(200));
    expect(idp.requests.introspection).toBe(before + 1);
  });

  it('refuses a token revoked at the provider (RFC 7009) once its cache entry ends', async () => {
    const token = await opaqueToken(idp);
    expect((await call(sample, '/notes', token)).status).toBe(200);
    await revoke(idp, token);
    expect((await call(sample, '/notes', token)).status).toBe(200);
    await sleep(600);
    const refused = await call(sample, '/notes', token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('refuses a made-up opaque token with 401', async () => {
    const refused = await call(sample, '/notes', 'made-up-opaque-token');
    expect(refused.status).toBe(401);
  });
});

describe('sample app in OIDC_ISSUER mode: the introspection contract', () => {
  let provider: SampleApp;
  let idp: Idp;
  const started: SampleApp[] = [];

  beforeAll(async () => {
    provider = await startSample();
    idp = provider.idp!;
  });

  afterAll(async () => {
    await Promise.all(started.map((sample) => sample.close()));
    await provider.close();
  });

  const external = async (env: Record<string, string> = {}) => {
    const sample = await startSample({
      OIDC_ISSUER: idp.issuer,
      OIDC_AUDIENCE: 'api://notes',
      ...env,
    });
    started.push(sample);
    return sample;
  };

  const introspecting = {
    OIDC_INTROSPECTION_CLIENT_ID: 'notes-api',
    OIDC_INTROSPECTION_CLIENT_SECRET: 'notes-api-secret',
  };

  it('introspects tokens that are not JWTs with the client the variables name', async () => {
    const api = await external(introspecting);
    const token = await opaqueToken(idp);
    expect((await call(api, '/notes', token)).status).toBe(200);
  });

  it('refuses opaque tokens without the variables, as before', async () => {
    const api = await external();
    const refused = await call(api, '/notes', await opaqueToken(idp));
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('answers 503, not 401, when the provider refuses our own client credentials', async () => {
    const api = await external({ ...introspecting, OIDC_INTROSPECTION_CLIENT_SECRET: 'wrong' });
    const res = await call(api, '/notes', await opaqueToken(idp));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
  });

  describe('with REDIS_URL, across two replicas', () => {
    let redis: LocalRedis;

    beforeAll(async () => {
      redis = await LocalRedis.start();
    });

    afterAll(() => redis.stop());

    it('introspects a token once for both replicas: the result lives in Redis', async () => {
      const env = { ...introspecting, REDIS_URL: `redis://127.0.0.1:${redis.port}` };
      const [first, second] = [await external(env), await external(env)];
      try {
        const token = await opaqueToken(idp);
        const before = idp.requests.introspection;
        expect((await call(first, '/notes', token)).status).toBe(200);
        expect((await call(second, '/notes', token)).status).toBe(200);
        expect((await call(second, '/notes', token)).status).toBe(200);
        expect(idp.requests.introspection).toBe(before + 1);
      } finally {
        // Before Redis stops: a client left connected would keep reconnecting.
        await Promise.all(started.splice(-2).map((sample) => sample.close()));
      }
    });
  });
});
