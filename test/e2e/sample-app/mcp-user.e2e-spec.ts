import { jest } from '@jest/globals';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { decodeJwt } from 'jose';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  connectMcpClient,
  SignedInUser,
} from '../../../sample-app/src/clients/mcp-user-session.js';
import type { SampleApp } from '../../../sample-app/src/server.js';
import { createTestPki } from '../../support/certificates.js';
import { DEV_IDP_REDIRECT_URI, startSample } from '../../support/sample-app.js';

jest.setTimeout(30_000);

const bob = { username: 'bob', password: 'bob' };

/** An MCP client's metadata document, served over https on 127.0.0.1 as its client ID. */
async function serveClientMetadata(
  pki: Awaited<ReturnType<typeof createTestPki>>,
): Promise<{ url: string; server: Server; requests: () => number }> {
  let requests = 0;
  let url = '';
  const server = createServer({ cert: pki.server.cert, key: pki.server.key }, (req, res) => {
    requests += 1;
    if (req.url !== '/client.json') {
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
  return { url, server, requests: () => requests };
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

  const connect = async (user: SignedInUser) => {
    const connected = await connectMcpClient(sample.mcpResource, user);
    clients.push(connected.client);
    return connected;
  };

  it('registers dynamically, signs bob in with PKCE, and calls tools as bob', async () => {
    const user = new SignedInUser({ redirectUrl: DEV_IDP_REDIRECT_URI, credentials: bob });
    const { client } = await connect(user);

    const registered = user.clientInformation()!;
    expect(registered.client_id).not.toMatch(/^https:/);
    const [request] = user.authorizationRequests;
    expect(request.origin).toBe(sample.idp!.issuer);
    expect(request.searchParams.get('code_challenge_method')).toBe('S256');
    expect(request.searchParams.get('resource')).toBe(sample.mcpResource);
    expect(request.searchParams.get('client_id')).toBe(registered.client_id);
    expect(user.transcript.some((line) => line.includes('login form as bob'))).toBe(true);

    const claims = decodeJwt(user.tokens()!.access_token);
    expect(claims).toMatchObject({
      sub: 'bob',
      aud: sample.mcpResource,
      client_id: registered.client_id,
    });

    const who = await client.callTool({ name: 'whoami', arguments: {} });
    expect(who.structuredContent).toMatchObject({ subject: 'bob', clientId: registered.client_id });
    const added = await client.callTool({
      name: 'add_note',
      arguments: { text: 'by bob over MCP' },
    });
    expect(added.structuredContent).toMatchObject({ text: 'by bob over MCP', author: 'bob' });
  });

  it('uses its client ID metadata document: no registration, the provider fetches the document', async () => {
    const user = new SignedInUser({
      redirectUrl: DEV_IDP_REDIRECT_URI,
      credentials: bob,
      clientMetadataUrl: metadataHost.url,
    });
    const { client } = await connect(user);

    expect(user.clientInformation()!.client_id).toBe(metadataHost.url);
    expect(metadataHost.requests()).toBeGreaterThan(0);
    const claims = decodeJwt(user.tokens()!.access_token);
    expect(claims).toMatchObject({
      sub: 'bob',
      aud: sample.mcpResource,
      client_id: metadataHost.url,
    });
    const who = await client.callTool({ name: 'whoami', arguments: {} });
    expect(who.structuredContent).toMatchObject({ subject: 'bob', clientId: metadataHost.url });
  });
});
