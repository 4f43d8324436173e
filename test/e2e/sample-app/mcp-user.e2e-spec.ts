import { jest } from '@jest/globals';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { decodeJwt } from 'jose';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  afterSignIn,
  connectMcpClient,
  SignedInUser,
} from '../../../sample-app/src/clients/mcp-user-session.js';
import type { SampleApp } from '../../../sample-app/src/server.js';
import { createTestPki } from '../../support/certificates.js';
import { parseChallenges } from '../../support/challenges.js';
import { DEV_IDP_REDIRECT_URI, startSample } from '../../support/sample-app.js';

jest.setTimeout(30_000);

const bob = { username: 'bob', password: 'bob' };

/** An MCP client's metadata document, served over https on 127.0.0.1 as its client ID. */
async function serveClientMetadata(
  pki: Awaited<ReturnType<typeof createTestPki>>,
): Promise<{ url: string; server: Server; requested: string[] }> {
  const requested: string[] = [];
  let url = '';
  const server = createServer({ cert: pki.server.cert, key: pki.server.key }, (req, res) => {
    requested.push(req.url ?? '');
    // The impostor's document names another client ID than its own URL.
    if (req.url !== '/client.json' && req.url !== '/impostor.json') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        client_id: url,
        client_name: 'Notes MCP client',
        redirect_uris: [DEV_IDP_REDIRECT_URI],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/client.json`;
  return { url, server, requested };
}

// A user's MCP client (as a desktop agent would be) with the official SDK: the 401 sends it to
// the provider's metadata, it registers (RFC 7591) or names its metadata document as its client
// ID, the user (bob) signs in and allows in the browser, the code and PKCE verifier get a token
// for the MCP resource, and the session goes on with it.
describe('sample app MCP server: a user signs in through the SDK client', () => {
  let sample: SampleApp;
  let metadataHost: Awaited<ReturnType<typeof serveClientMetadata>>;
  const clients: Client[] = [];

  beforeAll(async () => {
    const pki = await createTestPki();
    const caFile = join(mkdtempSync(join(tmpdir(), 'mcp-sample-ca-')), 'ca.pem');
    writeFileSync(caFile, pki.ca.cert);
    metadataHost = await serveClientMetadata(pki);
    sample = await startSample({ DEV_IDP_CLIENT_METADATA_CA_FILE: caFile });
  });

  afterAll(async () => {
    for (const client of clients) await client.close();
    await sample?.close();
    metadataHost?.server.closeAllConnections();
    await new Promise((resolve) => metadataHost?.server.close(resolve));
  });

  const connect = async (user: SignedInUser, fetch?: FetchLike) => {
    const connected = await connectMcpClient(sample.mcpResource, user, { fetch });
    clients.push(connected.client);
    return connected;
  };

  it('finds in the provider metadata what the SDK client needs', async () => {
    const discovery = (await (
      await fetch(`${sample.idp!.issuer}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      registration_endpoint: sample.idp!.registrationEndpoint,
      client_id_metadata_document_supported: true,
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: expect.arrayContaining(['none']),
      grant_types_supported: expect.arrayContaining(['authorization_code', 'client_credentials']),
    });
    expect(discovery.scopes_supported).toEqual(
      expect.arrayContaining(['notes:read', 'notes:write']),
    );
  });

  it('registers dynamically, signs bob in with PKCE for reading, and calls tools as bob', async () => {
    const user = new SignedInUser({ redirectUrl: DEV_IDP_REDIRECT_URI, credentials: bob });
    const { client } = await connect(user);

    const registered = user.clientInformation()!;
    expect(registered.client_id).not.toMatch(/^https:/);
    const [request] = user.authorizationRequests;
    expect(request.origin).toBe(sample.idp!.issuer);
    expect(request.searchParams.get('code_challenge_method')).toBe('S256');
    expect(request.searchParams.get('resource')).toBe(sample.mcpResource);
    expect(request.searchParams.get('client_id')).toBe(registered.client_id);
    // The 401's scope: what the endpoint asks for first.
    expect(request.searchParams.get('scope')).toBe('notes:read');
    expect(user.transcript.some((line) => line.includes('login form as bob'))).toBe(true);

    const claims = decodeJwt(user.tokens()!.access_token);
    expect(claims).toMatchObject({
      sub: 'bob',
      aud: sample.mcpResource,
      client_id: registered.client_id,
      scope: 'notes:read',
    });

    const who = await client.callTool({ name: 'whoami', arguments: {} });
    expect(who.structuredContent).toEqual({
      subject: 'bob',
      clientId: registered.client_id,
      scopes: ['notes:read'],
    });
    const listed = await client.callTool({ name: 'list_notes', arguments: {} });
    expect(listed.isError).toBeFalsy();
  });

  it('steps up: add_note answers 403 naming notes:write, bob allows it, the call goes through', async () => {
    const user = new SignedInUser({ redirectUrl: DEV_IDP_REDIRECT_URI, credentials: bob });
    const seen: { status: number; challenge: string | null }[] = [];
    const watching = async (url: string | URL, init?: RequestInit) => {
      const res = await fetch(url, init);
      if (String(url) === sample.mcpResource) {
        seen.push({ status: res.status, challenge: res.headers.get('www-authenticate') });
      }
      return res;
    };
    const { client, transport } = await connect(user, watching);
    const reader = user.tokens()!.access_token;
    expect(decodeJwt(reader).scope).toBe('notes:read');
    seen.length = 0;

    const added = await afterSignIn(transport, user, () =>
      client.callTool({ name: 'add_note', arguments: { text: 'after step-up' } }),
    );

    expect(added.structuredContent).toMatchObject({ text: 'after step-up', author: 'bob' });
    const refused = seen.find((answer) => answer.status === 403)!;
    const challenge = parseChallenges(refused.challenge!).find((c) => c.scheme === 'Bearer')!;
    expect(challenge.params).toMatchObject({
      error: 'insufficient_scope',
      scope: 'notes:write',
      resource_metadata: `${sample.apiUrl}/.well-known/oauth-protected-resource/mcp`,
    });
    // Re-authorized for what it had and what the tool needs, so list_notes still works.
    const stepUp = user.authorizationRequests.at(-1)!;
    expect(stepUp.searchParams.get('scope')?.split(' ').sort()).toEqual([
      'notes:read',
      'notes:write',
    ]);
    const writer = user.tokens()!.access_token;
    expect(writer).not.toBe(reader);
    expect(decodeJwt(writer).scope).toBe('notes:read notes:write');
    const listed = await client.callTool({ name: 'list_notes', arguments: {} });
    expect(listed.structuredContent).toEqual({
      notes: expect.arrayContaining([added.structuredContent]),
    });
  });

  it("calls the audit API for bob with a token of its own: bob's token never leaves the MCP server", async () => {
    const user = new SignedInUser({ redirectUrl: DEV_IDP_REDIRECT_URI, credentials: bob });
    const { client } = await connect(user);
    const audited = await client.callTool({ name: 'audit_whoami', arguments: {} });
    expect(audited.isError).toBeFalsy();
    // Token exchange: the audit API sees bob as the subject and the notes service acting for him.
    expect(audited.structuredContent).toMatchObject({
      subject: 'bob',
      actor: sample.idp!.serviceClient.clientId,
      clientId: sample.idp!.serviceClient.clientId,
    });
    // Bob's token is for the MCP server alone: the audit API would refuse it.
    const direct = await fetch(`${sample.downstreamUrl}/audit/whoami`, {
      headers: { authorization: `Bearer ${user.tokens()!.access_token}` },
    });
    await direct.body?.cancel();
    expect(direct.status).toBe(401);
  });

  it('uses its client ID metadata document: no registration, the provider fetches the document', async () => {
    const user = new SignedInUser({
      redirectUrl: DEV_IDP_REDIRECT_URI,
      credentials: bob,
      clientMetadataUrl: metadataHost.url,
    });
    const { client } = await connect(user);

    expect(user.clientInformation()!.client_id).toBe(metadataHost.url);
    expect(metadataHost.requested).toContain('/client.json');
    const claims = decodeJwt(user.tokens()!.access_token);
    expect(claims).toMatchObject({
      sub: 'bob',
      aud: sample.mcpResource,
      client_id: metadataHost.url,
    });
    const who = await client.callTool({ name: 'whoami', arguments: {} });
    expect(who.structuredContent).toMatchObject({ subject: 'bob', clientId: metadataHost.url });
  });

  it('is refused when the metadata document names another client ID than its URL', async () => {
    const user = new SignedInUser({
      redirectUrl: DEV_IDP_REDIRECT_URI,
      credentials: bob,
      clientMetadataUrl: metadataHost.url.replace('client.json', 'impostor.json'),
    });
    await expect(connectMcpClient(sample.mcpResource, user)).rejects.toThrow(
      /Unexpected page at \/auth \(HTTP 400\)/,
    );
    expect(metadataHost.requested).toContain('/impostor.json');
    expect(user.tokens()).toBeUndefined();
  });
});
