import { jest } from '@jest/globals';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
import { importJWK, SignJWT } from 'jose';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenClient } from '../../../lib/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { connectMcpClient } from '../../../sample-app/src/clients/mcp-user-session.js';
import type { SampleApp } from '../../../sample-app/src/server.js';
import { serviceToken, startSample } from '../../support/sample-app.js';

jest.setTimeout(30_000);

const TOOLS_LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

// What the MCP endpoint answers tokens that are not for it, or not good any more: 401 with a
// challenge the SDK reads (its own parser), pointing at the MCP resource's metadata, so that a
// client asks for a proper token for this resource. And the other way round: an MCP token opens
// none of the REST routes (nor the WebSocket gateway's messages: mcp-websocket.e2e-spec.ts).
describe('sample app MCP server: tokens it refuses', () => {
  let sample: SampleApp;
  let keyFile: string;
  let mcpMetadata: string;

  beforeAll(async () => {
    keyFile = join(mkdtempSync(join(tmpdir(), 'mcp-sample-keys-')), 'keys.json');
    sample = await startSample({ DEV_IDP_KEY_FILE: keyFile });
    mcpMetadata = `${sample.apiUrl}/.well-known/oauth-protected-resource/mcp`;
  });

  afterAll(() => sample?.close());

  const callMcp = (authorization?: string) =>
    fetch(sample.mcpResource, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(authorization && { authorization }),
      },
      body: TOOLS_LIST,
    });

  /** The 401 as the SDK's transport reads it. */
  const refusedAsSdkSeesIt = async (res: Response) => {
    await res.body?.cancel();
    expect(res.status).toBe(401);
    const params = extractWWWAuthenticateParams(res);
    expect(params.resourceMetadataUrl?.href).toBe(mcpMetadata);
    return params;
  };

  /** A token signed with the embedded provider's own key, with these claims. */
  const signedByTheProvider = async (claims: Record<string, unknown>) => {
    const [key] = (JSON.parse(readFileSync(keyFile, 'utf8')) as { keys: Record<string, string>[] })
      .keys;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      iss: sample.idp!.issuer,
      sub: 'notes-service',
      client_id: 'notes-service',
      aud: sample.mcpResource,
      scope: 'notes:read',
      iat: now - 120,
      exp: now + 300,
      jti: `mcp-${now}`,
      ...claims,
    })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
      .sign(await importJWK(key, key.alg));
  };

  it('asks for a token without one: the scopes to ask for and where the metadata is', async () => {
    const params = await refusedAsSdkSeesIt(await callMcp());
    expect(params.error).toBeUndefined();
    // Reading first: writing comes by step-up, when add_note asks for it.
    expect(params.scope).toBe('notes:read');
  });

  it('takes a token the provider signed for the MCP resource (the control for the refusals below)', async () => {
    const res = await callMcp(`Bearer ${await signedByTheProvider({})}`);
    await res.body?.cancel();
    expect(res.status).toBe(200);
  });

  it('refuses a token for the REST API (api://notes), valid as it is there', async () => {
    const token = await serviceToken(sample, ['notes:read', 'notes:write']);
    const rest = await fetch(`${sample.apiUrl}/notes`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(rest.status).toBe(200);
    const params = await refusedAsSdkSeesIt(await callMcp(`Bearer ${token}`));
    expect(params.error).toBe('invalid_token');
  });

  it('refuses a token for the REST API URL, the resource the REST routes advertise', async () => {
    const token = await new TokenClient({
      tokenEndpoint: sample.idp!.tokenEndpoint,
      ...sample.idp!.serviceClient,
    }).getAppToken({ resource: sample.apiUrl, scopes: ['notes:read'] });
    expect((await refusedAsSdkSeesIt(await callMcp(`Bearer ${token}`))).error).toBe(
      'invalid_token',
    );
  });

  it('refuses an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await signedByTheProvider({ iat: now - 7200, exp: now - 3600 });
    expect((await refusedAsSdkSeesIt(await callMcp(`Bearer ${expired}`))).error).toBe(
      'invalid_token',
    );
  });

  it('refuses a token from another issuer, for the MCP resource', async () => {
    const other = await LocalIssuer.start({ audience: sample.mcpResource });
    try {
      const token = await other.mintToken({ sub: 'mallory', scopes: ['notes:read'] });
      const params = await refusedAsSdkSeesIt(await callMcp(`Bearer ${token}`));
      expect(params.error).toBe('invalid_token');
    } finally {
      await other.stop();
    }
  });

  it('refuses a DPoP-bound token sent as a bearer token', async () => {
    const client = new TokenClient({
      tokenEndpoint: sample.idp!.tokenEndpoint,
      ...sample.idp!.serviceClient,
      dpop: true,
    });
    const bound = await client.getAppToken({
      resource: sample.mcpResource,
      scopes: ['notes:read'],
    });
    const res = await callMcp(`Bearer ${bound}`);
    await res.body?.cancel();
    expect(res.status).toBe(401);
    expect(extractWWWAuthenticateParams(res).error).toBe('invalid_token');
  });

  it('lets no MCP token open the REST API or GraphQL', async () => {
    const token = await new TokenClient({
      tokenEndpoint: sample.idp!.tokenEndpoint,
      ...sample.idp!.serviceClient,
    }).getAppToken({ resource: sample.mcpResource, scopes: ['notes:read'] });
    const control = await callMcp(`Bearer ${token}`);
    await control.body?.cancel();
    expect(control.status).toBe(200);
    const authorization = `Bearer ${token}`;

    const rest = await fetch(`${sample.apiUrl}/notes`, { headers: { authorization } });
    await rest.body?.cancel();
    expect(rest.status).toBe(401);
    expect(extractWWWAuthenticateParams(rest)).toMatchObject({
      error: 'invalid_token',
      resourceMetadataUrl: new URL(`${sample.apiUrl}/.well-known/oauth-protected-resource`),
    });

    const graphql = await fetch(`${sample.apiUrl}/graphql`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ notes { id } }' }),
    });
    const answer = (await graphql.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(answer.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('sends the SDK client with an expired token back to the provider, and the session goes on', async () => {
    const now = Math.floor(Date.now() / 1000);
    const provider = new ClientCredentialsProvider({
      ...sample.idp!.serviceClient,
      expectedIssuer: sample.idp!.issuer,
      scope: 'notes:read',
    });
    const expired = await signedByTheProvider({ iat: now - 7200, exp: now - 3600 });
    provider.saveTokens({ access_token: expired, token_type: 'Bearer' });
    const { client } = await connectMcpClient(sample.mcpResource, provider);
    try {
      expect(provider.tokens()!.access_token).not.toBe(expired);
      const { tools } = await client.listTools();
      expect(tools.length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });
});
