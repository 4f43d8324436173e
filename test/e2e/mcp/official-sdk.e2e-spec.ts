import { All, Controller, type INestApplication, Req, Res } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import {
  type AuthEvent,
  OidcAuthEvents,
  OidcAuthModule,
  ProtectedResource,
} from '../../../lib/index.js';
import {
  McpEndpoint,
  mcpPrincipal,
  OidcMcpModule,
  registerPrompt,
  registerResource,
  registerTool,
  serveMcp,
} from '../../../lib/mcp/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { parseChallenges } from '../../support/challenges.js';
import { freePort } from '../../support/free-port.js';
import { mcpClient, postMcp, toolCall } from '../../support/mcp-client.js';
import { initApp, PLATFORMS, type Platform } from '../../support/test-app.js';

/** What the tool handlers ran, and whom for: a refused call must leave no trace here. */
const ran: string[] = [];

const text = (value: unknown) => ({
  content: [{ type: 'text' as const, text: JSON.stringify(value) }],
});

function notesServer(): McpServer {
  const server = new McpServer({ name: 'notes', version: '1.0.0' });
  registerTool(server, 'whoami', { description: 'The caller' }, (extra) => {
    const principal = mcpPrincipal(extra);
    ran.push('whoami');
    return text({
      subject: principal?.subject,
      scopes: [...(principal?.scopes ?? [])],
      clientId: extra.authInfo?.clientId,
      resource: extra.authInfo?.resource?.href,
    });
  });
  registerTool(
    server,
    'list_notes',
    { description: 'Lists notes', requires: { scopes: ['notes:read'] } },
    () => {
      ran.push('list_notes');
      return text(['a note']);
    },
  );
  registerTool(
    server,
    'add_note',
    {
      description: 'Adds a note',
      inputSchema: { text: z.string() },
      requires: { scopes: ['notes:write'] },
    },
    ({ text: note }) => {
      ran.push(`add_note ${note}`);
      return text({ added: note });
    },
  );
  registerTool(server, 'purge', { requires: { roles: ['admin'] } }, () => {
    ran.push('purge');
    return text({ purged: true });
  });
  registerTool(server, 'tenant_report', { requires: { policies: ['acme'] } }, () => {
    ran.push('tenant_report');
    return text({ tenant: 'acme' });
  });
  registerTool(
    server,
    'sign_off',
    { requires: { scopes: ['notes:read'], authentication: { acr: ['mfa'] } } },
    () => {
      ran.push('sign_off');
      return text({ signed: true });
    },
  );
  registerResource(
    server,
    'note',
    new ResourceTemplate('notes://{id}', { list: undefined }),
    { requires: { scopes: ['notes:read'] } },
    (uri) => {
      ran.push(`read ${uri.href}`);
      return { contents: [{ uri: uri.href, text: 'a note' }] };
    },
  );
  registerPrompt(
    server,
    'summarize',
    { description: 'Summarize the notes', requires: { scopes: ['notes:admin'] } },
    () => {
      ran.push('summarize');
      return { messages: [{ role: 'user', content: { type: 'text', text: 'Summarize' } }] };
    },
  );
  return server;
}

@ProtectedResource('mcp')
@Controller('mcp')
class McpController {
  @McpEndpoint({ server: notesServer })
  @All()
  async handle(@Req() request: unknown, @Res() response: unknown): Promise<void> {
    await serveMcp(notesServer(), request, response);
  }
}

describe.each(PLATFORMS)('an MCP server of the official SDK on %s', (platform: Platform) => {
  let issuer: LocalIssuer;
  let app: INestApplication;
  let url: string;
  let resource: string;
  const refusals: AuthEvent[] = [];

  const token = (scopes: string[], claims: Record<string, unknown> = {}, aud = resource) =>
    issuer.mint({ aud, scope: scopes.join(' '), client_id: 'agent-1', ...claims });

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    resource = `${base}/mcp`;
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: [{ issuer: issuer.issuer, audience: [resource, base, 'api://notes'] }],
          protectedResource: { resource: base, audience: [base, 'api://notes'] },
          protectedResources: { mcp: { resource, resourceName: 'Notes MCP' } },
          policies: { acme: (principal) => principal.claims.tid === 'acme' },
        }),
        OidcMcpModule.forRoot({ hideForbiddenTools: true }),
      ],
      controllers: [McpController],
    }).compile();
    app = await initApp(ref, platform);
    await app.listen(port, '127.0.0.1');
    app.get(OidcAuthEvents).events$.subscribe((e) => e.outcome === 'refused' && refusals.push(e));
    url = resource;
  });

  afterAll(async () => {
    await app?.close();
    await issuer?.close();
  });

  beforeEach(() => {
    ran.length = 0;
    refusals.length = 0;
  });

  it('lists the tools the token may call and runs one, the caller in its handler', async () => {
    const mcp = await mcpClient(url, await token(['notes:read']));
    const { tools } = await mcp.client.listTools();
    // add_note (notes:write), purge (a role), tenant_report (a policy), sign_off (mfa) are hidden.
    expect(tools.map((tool) => tool.name).sort()).toEqual(['list_notes', 'whoami']);
    const whoami = await mcp.client.callTool({ name: 'whoami', arguments: {} });
    expect(JSON.parse((whoami.content as { text: string }[])[0].text)).toEqual({
      subject: 'user-1',
      scopes: ['notes:read'],
      clientId: 'agent-1',
      resource,
    });
    const notes = await mcp.client.callTool({ name: 'list_notes', arguments: {} });
    expect((notes.content as { text: string }[])[0].text).toBe('["a note"]');
    expect(ran).toEqual(['whoami', 'list_notes']);
    await mcp.close();
  });

  it('answers a request without a token 401, naming the scopes of its tools and its metadata', async () => {
    const refused = mcpClient(url);
    await expect(refused).rejects.toThrow();
    const res = await fetch(url, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
    // The scopes its tools, resource and prompt need, as the resource configures none.
    expect(parseChallenges(res.headers.get('www-authenticate')!)[0]).toEqual({
      scheme: 'Bearer',
      params: {
        realm: 'api',
        scope: 'notes:read notes:write notes:admin',
        resource_metadata: `http://127.0.0.1:${new URL(url).port}/.well-known/oauth-protected-resource/mcp`,
      },
    });
    const metadata = await fetch(
      `http://127.0.0.1:${new URL(url).port}/.well-known/oauth-protected-resource/mcp`,
    );
    expect(await metadata.json()).toMatchObject({
      resource,
      scopes_supported: ['notes:admin', 'notes:read', 'notes:write'],
    });
  });

  it('answers a tools/call the token does not allow 403 with the scope it needs, before the tool runs', async () => {
    const mcp = await mcpClient(url, await token(['notes:read']));
    await expect(
      mcp.client.callTool({ name: 'add_note', arguments: { text: 'sneaky' } }),
    ).rejects.toThrow(/403/);
    const refusal = mcp.answers.at(-1)!;
    expect(refusal.status).toBe(403);
    expect(parseChallenges(refusal.challenge!)[0].params).toEqual({
      realm: 'api',
      error: 'insufficient_scope',
      error_description: 'This resource requires the scope notes:write',
      scope: 'notes:write',
      resource_metadata: `http://127.0.0.1:${new URL(url).port}/.well-known/oauth-protected-resource/mcp`,
    });
    expect(ran).toEqual([]);
    // Reported like any refusal of the module, the call named.
    expect(refusals).toEqual([
      expect.objectContaining({
        route: 'POST /mcp tools/call add_note',
        status: 403,
        reason: 'insufficient_scope',
        subject: 'user-1',
        clientId: 'agent-1',
      }),
    ]);
    const writer = await mcpClient(url, await token(['notes:read', 'notes:write']));
    await writer.client.callTool({ name: 'add_note', arguments: { text: 'fine' } });
    expect(ran).toEqual(['add_note fine']);
    await mcp.close();
    await writer.close();
  });

  it('holds resources and prompts to their requirements too', async () => {
    const reader = await token(['notes:read']);
    const read = await postMcp(url, reader, {
      jsonrpc: '2.0',
      id: 1,
      method: 'resources/read',
      params: { uri: 'notes://7' },
    });
    expect(read.status).toBe(200);
    const prompt = await postMcp(url, reader, {
      jsonrpc: '2.0',
      id: 2,
      method: 'prompts/get',
      params: { name: 'summarize' },
    });
    expect(prompt.status).toBe(403);
    expect(parseChallenges(prompt.challenge!)[0].params.scope).toBe('notes:admin');
    expect(ran).toEqual(['read notes://7']);
  });

  it('refuses a whole batch for one call it does not allow, naming every missing scope', async () => {
    const res = await postMcp(url, await token(['notes:read']), [
      toolCall('list_notes', 1),
      toolCall('add_note', 2, { text: 'batched' }),
      { jsonrpc: '2.0', id: 3, method: 'prompts/get', params: { name: 'summarize' } },
    ]);
    expect(res.status).toBe(403);
    expect(parseChallenges(res.challenge!)[0].params).toMatchObject({
      error: 'insufficient_scope',
      scope: 'notes:write notes:admin',
    });
    expect(ran).toEqual([]);
  });

  it('refuses a notification that calls a tool the token does not allow', async () => {
    const res = await postMcp(url, await token(['notes:read']), toolCall('add_note', null));
    expect(res.status).toBe(403);
    expect(parseChallenges(res.challenge!)[0].params.scope).toBe('notes:write');
    expect(ran).toEqual([]);
  });

  it('answers roles and policies 403 without a scope, a weak sign-in 401 with acr_values', async () => {
    const reader = await token(['notes:read']);
    const purge = await postMcp(url, reader, toolCall('purge', 1));
    expect(purge.status).toBe(403);
    expect(parseChallenges(purge.challenge!)[0].params).not.toHaveProperty('scope');
    const report = await postMcp(url, reader, toolCall('tenant_report', 1));
    expect(report.status).toBe(403);
    expect(parseChallenges(report.challenge!)[0].params.error_description).toBe(
      'The policy acme denied access to this resource',
    );
    const acme = await postMcp(url, await token([], { tid: 'acme' }), toolCall('tenant_report', 1));
    expect(acme.status).toBe(200);
    const weak = await postMcp(url, reader, toolCall('sign_off', 1));
    expect(weak.status).toBe(401);
    expect(parseChallenges(weak.challenge!)[0].params).toMatchObject({
      error: 'insufficient_user_authentication',
      acr_values: 'mfa',
    });
    const strong = await postMcp(
      url,
      await token(['notes:read'], { acr: 'mfa' }),
      toolCall('sign_off', 1),
    );
    expect(strong.status).toBe(200);
    expect(ran).toEqual(['tenant_report', 'sign_off']);
  });

  it('answers other methods than POST 405, a stateless server having no stream or session', async () => {
    const reader = await token(['notes:read']);
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(url, { method, headers: { Authorization: `Bearer ${reader}` } });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
    }
    expect((await fetch(url)).status).toBe(401);
  });

  it('refuses a token issued for another resource of the application', async () => {
    const res = await postMcp(
      url,
      await token(['notes:read', 'notes:write'], {}, 'api://notes'),
      toolCall('list_notes', 1),
    );
    expect(res.status).toBe(401);
    expect(parseChallenges(res.challenge!)[0].params).toMatchObject({
      error: 'invalid_token',
      error_description: 'The token is not meant for this resource (audience)',
    });
    expect(ran).toEqual([]);
  });
});
