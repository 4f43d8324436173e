import type { SampleApp } from '../../../sample-app/src/server.js';
import { dpopKey, makeProof } from '../../support/dpop.js';
import { LocalRedis } from '../../support/redis-server.js';
import { startSample } from '../../support/sample-app.js';
import { suiteFixture, suiteIssuer } from '../../support/suite-fixture.js';

/**
 * The sample's DPoP contract in OIDC_ISSUER mode, black-box over HTTP: the issuer is a LocalIssuer
 * minting DPoP-bound tokens (`cnf.jkt`), the client a jose key.
 */
describe('sample app DPoP settings (OIDC_ISSUER mode)', () => {
  const issuer = suiteIssuer({ audience: 'api://notes' });
  const key = suiteFixture(() => dpopKey('ES256'));

  async function sample(env: Record<string, string> = {}): Promise<SampleApp> {
    return startSample({ OIDC_ISSUER: issuer.issuer, OIDC_AUDIENCE: 'api://notes', ...env });
  }

  /** Runs `test` against the sample started with `env`, and stops the sample. */
  async function withSample(env: Record<string, string>, test: (app: SampleApp) => Promise<void>) {
    const app = await sample(env);
    try {
      await test(app);
    } finally {
      await app.close();
    }
  }

  const bound = () => issuer.mint({ scope: 'notes:read', cnf: { jkt: key.thumbprint } });
  const bearer = () => issuer.mint({ scope: 'notes:read' });

  async function dpopCall(
    app: SampleApp,
    token: string,
    options: {
      htu?: string;
      headers?: Record<string, string>;
      claims?: Record<string, unknown>;
    } = {},
  ): Promise<Response> {
    const proof = await makeProof(key, {
      htm: 'GET',
      htu: options.htu ?? `${app.apiUrl}/notes`,
      accessToken: token,
      claims: options.claims,
    });
    return fetch(`${app.apiUrl}/notes`, {
      headers: { authorization: `DPoP ${token}`, dpop: proof, ...options.headers },
    });
  }

  const bearerCall = async (app: SampleApp, token: string) =>
    fetch(`${app.apiUrl}/notes`, { headers: { authorization: `Bearer ${token}` } });

  it('accepts DPoP and unbound Bearer by default, refusing a bound token as Bearer', async () => {
    await withSample({}, async (app) => {
      expect((await dpopCall(app, await bound())).status).toBe(200);
      expect((await bearerCall(app, await bearer())).status).toBe(200);
      expect((await bearerCall(app, await bound())).status).toBe(401);
    });
  });

  it('OIDC_DPOP=required refuses Bearer with the DPoP challenge', async () => {
    await withSample({ OIDC_DPOP: 'required' }, async (app) => {
      const refused = await bearerCall(app, await bearer());
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(
        /^Bearer realm="notes", error="invalid_token".*DPoP algs="[^"]+"/,
      );
      expect((await fetch(`${app.apiUrl}/notes`)).headers.get('www-authenticate')).toMatch(
        /^DPoP algs=/,
      );
      expect((await dpopCall(app, await bound())).status).toBe(200);
    });
  });

  it('OIDC_DPOP=off takes no DPoP', async () => {
    await withSample({ OIDC_DPOP: 'off' }, async (app) => {
      const res = await dpopCall(app, await bound());
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).not.toMatch(/DPoP/);
    });
  });

  it('OIDC_DPOP_NONCE=1 requires a server nonce', async () => {
    await withSample({ OIDC_DPOP_NONCE: '1' }, async (app) => {
      const token = await bound();
      const asked = await dpopCall(app, token);
      expect(asked.status).toBe(401);
      expect(asked.headers.get('www-authenticate')).toMatch(/error="use_dpop_nonce"/);
      const nonce = asked.headers.get('dpop-nonce')!;
      const ok = await dpopCall(app, token, { claims: { nonce } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('dpop-nonce')).toBeTruthy();
    });
  });

  it('TRUST_PROXY=1 honours X-Forwarded-Proto/Host for htu; they are ignored otherwise', async () => {
    const headers = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'notes.example.com' };
    const htu = 'https://notes.example.com/notes';
    const trusting = await sample({ TRUST_PROXY: '1' });
    const plain = await sample();
    try {
      expect((await dpopCall(trusting, await bound(), { htu, headers })).status).toBe(200);
      const ignored = await dpopCall(plain, await bound(), { htu, headers });
      expect(ignored.status).toBe(401);
      expect(((await ignored.json()) as { message: string }).message).toMatch(/htu/);
    } finally {
      await trusting.close();
      await plain.close();
    }
  });

  it('REDIS_URL shares the replay store: a proof replayed to another instance is refused', async () => {
    const redis = await LocalRedis.start();
    const env = { REDIS_URL: `redis://127.0.0.1:${redis.port}`, TRUST_PROXY: '1' };
    const [one, two] = [await sample(env), await sample(env)];
    try {
      const token = await bound();
      const proof = await makeProof(key, {
        htm: 'GET',
        htu: 'https://notes.example.com/notes',
        accessToken: token,
      });
      const call = (app: SampleApp) =>
        fetch(`${app.apiUrl}/notes`, {
          headers: {
            authorization: `DPoP ${token}`,
            dpop: proof,
            'x-forwarded-proto': 'https',
            'x-forwarded-host': 'notes.example.com',
          },
        });
      expect((await call(one)).status).toBe(200);
      const replayed = await call(two);
      expect(replayed.status).toBe(401);
      expect(replayed.headers.get('www-authenticate')).toMatch(/error="invalid_dpop_proof"/);
    } finally {
      await one.close();
      await two.close();
      await redis.stop();
    }
  });

  it('refuses a bad OIDC_DPOP at boot, naming the variable', async () => {
    await expect(sample({ OIDC_DPOP: 'sometimes' })).rejects.toThrow(/OIDC_DPOP must be/);
    await expect(sample({ REDIS_URL: 'http://x' })).rejects.toThrow(/REDIS_URL/);
  });
});
