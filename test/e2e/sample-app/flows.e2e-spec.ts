import { jest } from '@jest/globals';
import { ASYMMETRIC_ALGORITHMS, TokenClient } from '../../../lib/index.js';
import { loginWithPkce } from '../../../sample-app/src/clients/pkce-login.js';
import type { SampleApp } from '../../../sample-app/src/server.js';
import { startSample } from '../../support/sample-app.js';

jest.setTimeout(30_000);

describe('sample app against its embedded OpenID provider (real HTTP)', () => {
  let sample: SampleApp;
  let idp: NonNullable<SampleApp['idp']>;

  beforeAll(async () => {
    sample = await startSample();
    idp = sample.idp!;
  });

  afterAll(() => sample.close());

  const call = (method: string, path: string, token?: string, body?: unknown) =>
    fetch(`${sample.apiUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });

  const serviceToken = () =>
    new TokenClient({ tokenEndpoint: idp.tokenEndpoint, ...idp.serviceClient }).getAppToken({
      scopes: ['notes:read', 'notes:write'],
    });

  const login = (username: string, password = username) =>
    loginWithPkce({
      issuer: idp.issuer,
      clientId: idp.spaClientId,
      redirectUri: `${sample.apiUrl}/docs/oauth2-redirect.html`,
      username,
      password,
      scope: 'openid notes:read notes:write',
    });

  it('serves /health and /health/ready without a token, and nothing else', async () => {
    expect((await call('GET', '/health')).status).toBe(200);
    const ready = await call('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { info: { oidc: unknown } }).info.oidc).toMatchObject({
      status: 'up',
      issuers: [{ issuer: idp.issuer, keysLoaded: true }],
    });
    expect((await call('GET', '/notes')).status).toBe(401);
    expect((await call('GET', '/me')).status).toBe(401);
  });

  it('lets a client-credentials token read and write, but not delete', async () => {
    const token = await serviceToken();
    expect((await call('GET', '/notes', token)).status).toBe(200);
    const created = await call('POST', '/notes', token, { text: 'from a service' });
    expect(created.status).toBe(201);
    const note = (await created.json()) as { id: number; author: string };
    expect(note.author).toBe(idp.serviceClient.clientId);
    const refused = await call('DELETE', `/notes/${note.id}`, token);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    const me = (await (await call('GET', '/me', token)).json()) as Record<string, unknown>;
    expect(me).toMatchObject({
      subject: 'notes-service',
      isAppOnly: true,
      clientId: 'notes-service',
    });
  });

  it('runs authorization code + PKCE for alice (admin) and bob', async () => {
    const alice = await login('alice');
    expect(alice.transcript.some((l) => l.includes('login form'))).toBe(true);
    const me = (await (await call('GET', '/me', alice.accessToken)).json()) as Record<
      string,
      unknown
    >;
    expect(me).toMatchObject({
      subject: 'alice',
      roles: ['admin'],
      isAppOnly: false,
      clientId: 'notes-spa',
    });
    const created = await call('POST', '/notes', alice.accessToken, { text: 'mine' });
    const { id } = (await created.json()) as { id: number };
    const bob = await login('bob');
    expect((await call('GET', '/notes', bob.accessToken)).status).toBe(200);
    expect((await call('DELETE', `/notes/${id}`, bob.accessToken)).status).toBe(403);
    expect((await call('DELETE', `/notes/${id}`, alice.accessToken)).status).toBe(204);
  });

  it('refuses a wrong password at the provider', async () => {
    await expect(login('alice', 'wrong')).rejects.toThrow(/Login failed for alice/);
  });

  it('refuses the ID token, which is meant for the client, not the API', async () => {
    const { idToken } = await login('alice');
    expect(idToken).toBeDefined();
    const res = await call('GET', '/me', idToken);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('rejects bad input with a clear 400, not a 500', async () => {
    const token = await serviceToken();
    const res = await call('POST', '/notes', token, { text: 42 });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/text must be/);
    expect(
      (await call('DELETE', '/notes/not-a-number', (await login('alice')).accessToken)).status,
    ).toBe(400);
  });

  it('publishes RFC 9728 metadata and points its challenges at it', async () => {
    const metadata = await fetch(`${sample.apiUrl}/.well-known/oauth-protected-resource`);
    expect(await metadata.json()).toEqual({
      resource: sample.apiUrl,
      authorization_servers: [idp.issuer],
      scopes_supported: ['notes:read', 'notes:write'],
      bearer_methods_supported: ['header'],
      dpop_signing_alg_values_supported: [...ASYMMETRIC_ALGORITHMS],
    });
    const metadataParam = `resource_metadata="${sample.apiUrl}/.well-known/oauth-protected-resource"`;
    expect((await call('GET', '/notes')).headers.get('www-authenticate')).toBe(
      `Bearer realm="notes", scope="notes:read", ${metadataParam}, DPoP algs="${ASYMMETRIC_ALGORITHMS.join(' ')}", realm="notes", scope="notes:read", ${metadataParam}`,
    );
  });

  it('documents each operation with the scopes its @Scopes() require, and the provider login', async () => {
    const doc = (await (await fetch(`${sample.apiUrl}/docs-json`)).json()) as {
      paths: Record<string, Record<string, { security?: unknown }>>;
      components: {
        securitySchemes: Record<string, { flows: Record<string, Record<string, unknown>> }>;
      };
    };
    expect(doc.paths['/notes'].get.security).toEqual([{ oidc: ['notes:read'] }]);
    expect(doc.paths['/notes'].post.security).toEqual([{ oidc: ['notes:write'] }]);
    expect(doc.paths['/notes/{id}'].delete.security).toEqual([{ oidc: [] }]);
    expect(doc.paths['/health'].get.security).toEqual([]);
    expect(doc.components.securitySchemes.oidc.flows.authorizationCode).toMatchObject({
      authorizationUrl: idp.authorizationEndpoint,
      tokenUrl: idp.tokenEndpoint,
    });
  });

  it('accepts tokens signed after the provider rotates its signing key', async () => {
    const before = await serviceToken();
    await idp.rotateSigningKey();
    const after = await serviceToken();
    const kid = (t: string) => JSON.parse(Buffer.from(t.split('.')[0], 'base64url').toString()).kid;
    expect(kid(after)).not.toBe(kid(before));
    // The API refetches the key set for the unknown kid at most once per cooldown (5 s).
    const deadline = Date.now() + 12_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = (await call('GET', '/notes', after)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
    expect((await call('GET', '/notes', before)).status).toBe(200);
  });
});

describe('sample app with OIDC_ISSUER set', () => {
  it('trusts exactly that issuer and audience, starting no provider of its own', async () => {
    const provider = await startSample();
    const external = await startSample({
      OIDC_ISSUER: provider.idp!.issuer,
      OIDC_AUDIENCE: 'api://another-api',
    });
    try {
      expect(external.idp).toBeUndefined();
      const token = await new TokenClient({
        tokenEndpoint: provider.idp!.tokenEndpoint,
        ...provider.idp!.serviceClient,
      }).getAppToken({
        scopes: ['notes:read'],
      });
      const res = await fetch(`${external.apiUrl}/notes`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { message: string }).message).toMatch(/audience/);
      const same = await startSample({
        OIDC_ISSUER: provider.idp!.issuer,
        OIDC_AUDIENCE: 'api://notes',
      });
      const ok = await fetch(`${same.apiUrl}/notes`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(ok.status).toBe(200);
      await same.close();
    } finally {
      await external.close();
      await provider.close();
    }
  });
});
