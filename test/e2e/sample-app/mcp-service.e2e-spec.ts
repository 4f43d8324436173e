import { jest } from '@jest/globals';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { decodeJwt } from 'jose';
import { connectMcpClient } from '../../../sample-app/src/clients/mcp-user-session.js';
import type { SampleApp } from '../../../sample-app/src/server.js';
import { parseChallenges } from '../../support/challenges.js';
import { startSample } from '../../support/sample-app.js';

jest.setTimeout(30_000);

// A service calling the sample's MCP server with the official SDK client and nothing else: the
// client finds everything from the 401 (RFC 9728 metadata, the provider's metadata) and gets a
// client-credentials token for the MCP resource (RFC 8707).
describe('sample app MCP server: a service with client credentials and the SDK client', () => {
  let sample: SampleApp;
  let client: Client;
  let provider: ClientCredentialsProvider;

  beforeAll(async () => {
    sample = await startSample();
    provider = new ClientCredentialsProvider({
      ...sample.idp!.serviceClient,
      expectedIssuer: sample.idp!.issuer,
      scope: 'notes:read notes:write',
    });
    ({ client } = await connectMcpClient(sample.mcpResource, provider));
  });

  afterAll(async () => {
    await client?.close();
    await sample?.close();
  });

  it('got a token for the MCP resource alone, from the 401 and the metadata', async () => {
    const claims = decodeJwt(provider.tokens()!.access_token);
    expect(claims.aud).toBe(sample.mcpResource);
    expect(claims.scope).toBe('notes:read notes:write');
    expect(sample.mcpResource).toBe(`${sample.apiUrl}/mcp`);
  });

  it('lists the tools', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'add_note',
      'audit_whoami',
      'list_notes',
      'whoami',
    ]);
  });

  it('calls them: whoami tells the service apart, add_note and list_notes share the notes', async () => {
    const who = await client.callTool({ name: 'whoami', arguments: {} });
    expect(who.structuredContent).toEqual({
      subject: sample.idp!.serviceClient.clientId,
      clientId: sample.idp!.serviceClient.clientId,
      scopes: ['notes:read', 'notes:write'],
    });
    const added = await client.callTool({ name: 'add_note', arguments: { text: 'by MCP' } });
    expect(added.isError).toBeFalsy();
    const listed = await client.callTool({ name: 'list_notes', arguments: {} });
    expect(listed.structuredContent).toEqual({ notes: [added.structuredContent] });
  });

  it('refuses a tool call whose arguments break the schema, without adding anything', async () => {
    const refused = await client.callTool({ name: 'add_note', arguments: { text: '' } });
    expect(refused.isError).toBe(true);
  });

  it('answers GET and DELETE with 405: a stateless endpoint has no stream and no session', async () => {
    const authorization = `Bearer ${provider.tokens()!.access_token}`;
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(sample.mcpResource, {
        method,
        headers: { authorization, accept: 'text/event-stream' },
      });
      await res.body?.cancel();
      expect([method, res.status, res.headers.get('allow')]).toEqual([method, 405, 'POST']);
    }
  });

  it('publishes the MCP resource metadata the 401 points at', async () => {
    const res = await fetch(sample.mcpResource, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    const bearer = parseChallenges(res.headers.get('www-authenticate')!).find(
      (c) => c.scheme === 'Bearer',
    )!;
    expect(bearer.params.resource_metadata).toBe(
      `${sample.apiUrl}/.well-known/oauth-protected-resource/mcp`,
    );
    const metadata = (await (await fetch(bearer.params.resource_metadata)).json()) as Record<
      string,
      unknown
    >;
    expect(metadata).toMatchObject({
      resource: sample.mcpResource,
      authorization_servers: [sample.idp!.issuer],
    });
    expect(metadata.scopes_supported).toEqual(
      expect.arrayContaining(['notes:read', 'notes:write']),
    );
  });
});
