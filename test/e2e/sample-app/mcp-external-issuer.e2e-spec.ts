import { jest } from '@jest/globals';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { decodeJwt } from 'jose';
import { connectMcpClient } from '../../../sample-app/src/clients/mcp-user-session.js';
import type { SampleApp } from '../../../sample-app/src/server.js';
import { freePort } from '../../support/free-port.js';
import { serviceToken, startSample } from '../../support/sample-app.js';

jest.setTimeout(30_000);

// The sample pointed at a provider it does not run (OIDC_ISSUER): its MCP endpoint takes tokens
// for OIDC_MCP_RESOURCE (default: its own /mcp URL), its REST routes tokens for OIDC_AUDIENCE,
// and neither the other's. The provider is a second instance's embedded one, told to issue tokens
// for that MCP resource as a real provider would be configured to.
describe('sample app MCP server trusting OIDC_ISSUER', () => {
  let provider: SampleApp;
  let external: SampleApp;

  beforeAll(async () => {
    const port = await freePort();
    provider = await startSample({ OIDC_MCP_RESOURCE: `http://127.0.0.1:${port}/mcp` });
    external = await startSample({
      PORT: String(port),
      OIDC_ISSUER: provider.idp!.issuer,
      OIDC_AUDIENCE: 'api://notes',
    });
  });

  afterAll(async () => {
    await external?.close();
    await provider?.close();
  });

  it('defaults OIDC_MCP_RESOURCE to its /mcp URL and lets the SDK client in with a token for it', async () => {
    expect(external.mcpResource).toBe(`${external.apiUrl}/mcp`);
    const service = new ClientCredentialsProvider({
      ...provider.idp!.serviceClient,
      expectedIssuer: provider.idp!.issuer,
      scope: 'notes:read',
    });
    const { client } = await connectMcpClient(external.mcpResource, service);
    try {
      expect(decodeJwt(service.tokens()!.access_token).aud).toBe(external.mcpResource);
      const listed = await client.callTool({ name: 'list_notes', arguments: {} });
      expect(listed.structuredContent).toEqual({ notes: [] });
    } finally {
      await client.close();
    }
  });

  it('takes OIDC_AUDIENCE tokens on REST and refuses them at /mcp', async () => {
    const token = await serviceToken(provider, ['notes:read']);
    const headers = { authorization: `Bearer ${token}` };
    const rest = await fetch(`${external.apiUrl}/notes`, { headers });
    await rest.body?.cancel();
    expect(rest.status).toBe(200);
    const mcp = await fetch(external.mcpResource, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    await mcp.body?.cancel();
    expect(mcp.status).toBe(401);
    expect(mcp.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });
});
