import { jest } from '@jest/globals';
import { TokenClient } from '../../../lib/index.js';
import { type DevIdentityProvider } from '../../../sample-app/src/identity-provider/dev-identity-provider.js';
import { startDevIdp } from '../../support/sample-app.js';

jest.setTimeout(30_000);

type Client = { clientId: string; clientSecret: string };

function basic(client: Client): string {
  // RFC 6749 §2.3.1: each part is form-encoded before it is joined.
  const id = encodeURIComponent(client.clientId);
  const secret = encodeURIComponent(client.clientSecret);
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

async function post(
  url: string,
  client: Client,
  form: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe("the sample's embedded provider: opaque tokens, introspection and revocation", () => {
  let idp: DevIdentityProvider;

  beforeAll(async () => {
    idp = await startDevIdp();
  });

  afterAll(() => idp.close());

  const opaqueToken = () =>
    new TokenClient({ tokenEndpoint: idp.tokenEndpoint, ...idp.opaqueClient }).getAppToken({
      scopes: ['notes:read'],
    });

  const introspect = (token: string, client: Client = idp.introspectionClient) =>
    post(idp.introspectionEndpoint, client, { token, token_type_hint: 'access_token' });

  it('advertises both endpoints in discovery', async () => {
    const doc = (await (
      await fetch(`${idp.issuer}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(doc.introspection_endpoint).toBe(idp.introspectionEndpoint);
    expect(doc.revocation_endpoint).toBe(idp.revocationEndpoint);
  });

  it('issues the reporting client opaque tokens, the service client JWTs, for the same API', async () => {
    const opaque = await opaqueToken();
    expect(opaque.split('.')).toHaveLength(1);
    const jwt = await new TokenClient({
      tokenEndpoint: idp.tokenEndpoint,
      ...idp.serviceClient,
    }).getAppToken({ scopes: ['notes:read'] });
    expect(jwt.split('.')).toHaveLength(3);
  });

  it("answers the API's client with what the token grants, as RFC 7662 describes", async () => {
    const before = idp.requests.introspection;
    const { status, body } = await introspect(await opaqueToken());
    expect(status).toBe(200);
    expect(body).toMatchObject({
      active: true,
      iss: idp.issuer,
      aud: 'api://notes',
      client_id: idp.opaqueClient.clientId,
      scope: 'notes:read',
      token_type: 'Bearer',
    });
    expect(body.exp).toBeGreaterThan(Date.now() / 1000);
    expect(body.sub).toBeUndefined();
    expect(idp.requests.introspection).toBe(before + 1);
  });

  it('tells any other client only that the token is inactive', async () => {
    const token = await opaqueToken();
    expect((await introspect(token, idp.serviceClient)).body).toEqual({ active: false });
    expect((await introspect(token, idp.opaqueClient)).body.active).toBe(true);
  });

  it('refuses an introspecting client whose secret is wrong with 401', async () => {
    const wrong = { ...idp.introspectionClient, clientSecret: 'not-the-secret' };
    const { status, body } = await introspect(await opaqueToken(), wrong);
    expect(status).toBe(401);
    expect(body.error).toBe('invalid_client');
  });

  it('answers inactive once the client revoked its token (RFC 7009)', async () => {
    const token = await opaqueToken();
    expect((await introspect(token)).body.active).toBe(true);
    // RFC 7009 §2.2: another client's revocation is answered 200 too, and does nothing.
    const foreign = await post(idp.revocationEndpoint, idp.introspectionClient, { token });
    expect(foreign.status).toBe(200);
    expect((await introspect(token)).body.active).toBe(true);
    const revoked = await post(idp.revocationEndpoint, idp.opaqueClient, {
      token,
      token_type_hint: 'access_token',
    });
    expect(revoked.status).toBe(200);
    expect((await introspect(token)).body).toEqual({ active: false });
  });
});
