import { jest } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  authorizedFetch,
  InvalidClientError,
  InvalidGrantError,
  TokenClient,
  TokenEndpointError,
} from '../../../lib/index.js';
import { loginWithPkce } from '../../../sample-app/src/clients/pkce-login.js';
import type { SampleApp } from '../../../sample-app/src/server.js';
import { startSample } from '../../support/sample-app.js';

jest.setTimeout(30_000);

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

describe('calling downstream APIs through the embedded provider', () => {
  let sample: SampleApp;
  let idp: NonNullable<SampleApp['idp']>;
  let userToken: string;
  let now = Date.now();

  beforeAll(async () => {
    sample = await startSample();
    idp = sample.idp!;
    ({ accessToken: userToken } = await loginWithPkce({
      issuer: idp.issuer,
      clientId: idp.spaClientId,
      redirectUri: `${sample.apiUrl}/docs/oauth2-redirect.html`,
      username: 'alice',
      password: 'alice',
      scope: 'openid notes:read',
    }));
  });

  afterAll(() => sample.close());

  const client = (overrides: Partial<ConstructorParameters<typeof TokenClient>[0]> = {}) =>
    new TokenClient({
      issuer: idp.issuer,
      clientId: idp.serviceClient.clientId,
      clientSecret: idp.serviceClient.clientSecret,
      now: () => now,
      ...overrides,
    });
  const audit = { resource: 'api://audit', scopes: ['audit:read'] };

  it('gets an app token by client credentials, caches it until shortly before expiry', async () => {
    const c = client();
    const before = idp.requests.token;
    const first = await c.getAppToken(audit);
    expect(claimsOf(first)).toMatchObject({
      sub: 'notes-service',
      aud: 'api://audit',
      scope: 'audit:read',
    });
    expect(await c.getAppToken(audit)).toBe(first);
    expect(idp.requests.token - before).toBe(1);
    now += 3600_000 - 61_000;
    expect(await c.getAppToken(audit)).toBe(first);
    now += 2_000;
    expect(await c.getAppToken(audit)).not.toBe(first);
    expect(idp.requests.token - before).toBe(2);
  });

  it('exchanges the user token for a downstream token that names the user and the actor', async () => {
    const c = client();
    const before = idp.requests.token;
    const token = await c.getTokenOnBehalfOf(userToken, audit);
    expect(claimsOf(token)).toMatchObject({
      sub: 'alice',
      aud: 'api://audit',
      act: { sub: 'notes-service' },
    });
    expect(await c.getTokenOnBehalfOf(userToken, audit)).toBe(token);
    expect(idp.requests.token - before).toBe(1);
  });

  it('shares one token request among 50 concurrent callers', async () => {
    const c = client();
    const before = idp.requests.token;
    const tokens = await Promise.all(
      Array.from({ length: 50 }, () => c.getTokenOnBehalfOf(userToken, audit)),
    );
    expect(new Set(tokens).size).toBe(1);
    expect(idp.requests.token - before).toBe(1);
    const apps = await Promise.all(Array.from({ length: 50 }, () => c.getAppToken(audit)));
    expect(new Set(apps).size).toBe(1);
    expect(idp.requests.token - before).toBe(2);
  });

  it('turns token endpoint refusals into typed errors and does not cache them', async () => {
    await expect(client({ clientSecret: 'wrong' }).getAppToken(audit)).rejects.toBeInstanceOf(
      InvalidClientError,
    );
    const c = client();
    await expect(
      c.getTokenOnBehalfOf(`${userToken.slice(0, -4)}AAAA`, audit),
    ).rejects.toBeInstanceOf(InvalidGrantError);
    await expect(
      c.getAppToken({ resource: 'api://unknown', scopes: ['x'] }),
    ).rejects.toBeInstanceOf(TokenEndpointError);
    const before = idp.requests.token;
    await expect(client({ clientSecret: 'wrong' }).getAppToken(audit)).rejects.toThrow(
      /invalid_client/,
    );
    expect(idp.requests.token - before).toBe(1);
  });

  it('lets the notes API call the audit API on behalf of the user and as itself', async () => {
    const call = (path: string) =>
      fetch(`${sample.apiUrl}${path}`, { headers: { authorization: `Bearer ${userToken}` } });
    const obo = await call('/downstream/on-behalf-of');
    expect(obo.status).toBe(200);
    expect(await obo.json()).toMatchObject({
      subject: 'alice',
      actor: 'notes-service',
      isAppOnly: false,
      roles: ['admin'],
    });
    const self = await call('/downstream/as-service');
    expect(await self.json()).toMatchObject({ subject: 'notes-service', isAppOnly: true });
  });

  it('retries once with a fresh token when the downstream API answers 401', async () => {
    const c = client();
    const seen: string[] = [];
    const flaky: Server = createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      res.writeHead(seen.length === 1 ? 401 : 200).end();
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}/`;
    const res = await authorizedFetch(c, audit)(url);
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toBe(seen[1]);
    await new Promise<void>((resolve) => flaky.close(() => resolve()));
  });
});
