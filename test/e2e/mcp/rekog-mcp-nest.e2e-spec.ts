import { jest } from '@jest/globals';
import { Controller, type INestApplication } from '@nestjs/common';
import * as microservices from '@nestjs/microservices';
import { Ctx, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import type { McpContext } from '@rekog/mcp-nest';
import { z } from 'zod';
import {
  OidcAuthModule,
  type OidcPrincipal,
  Principal,
  ProtectedResource,
  Public,
  Roles,
  Scopes,
} from '../../../lib/index.js';
import {
  hideForbiddenTools,
  McpEndpoint,
  mcpPrincipal,
  OidcMcpModule,
} from '../../../lib/mcp/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { parseChallenges } from '../../support/challenges.js';
import { freePort } from '../../support/free-port.js';
import { mcpClient, postMcp, toolCall } from '../../support/mcp-client.js';
import { initApp, PLATFORMS, type Platform } from '../../support/test-app.js';
import { shareNestWithCommonJsPeers } from '../../support/cjs-nest-peers.js';

// @rekog/mcp-nest is CommonJS and require()s Nest, microservices included.
shareNestWithCommonJsPeers();
jest.mock('@nestjs/microservices', () => microservices);
const { McpController, McpHttpControllerFor, McpStrategy, Prompt, StreamableHttpTransport, Tool } =
  await import('@rekog/mcp-nest');

/** What the tools ran: a refused call must leave no trace here. */
const ran: string[] = [];

const text = (value: unknown) => ({ content: [{ type: 'text', text: JSON.stringify(value) }] });

// The tools belong to the MCP resource like the endpoint: the guard checks them again as message
// handlers, where a token for the MCP resource must open them.
@ProtectedResource('mcp')
@McpController()
class NotesTools {
  @Tool({ name: 'whoami', description: 'The caller' })
  whoami(@Payload() _args: unknown, @Ctx() ctx: McpContext, @Principal() principal: OidcPrincipal) {
    ran.push('whoami');
    const authInfo = ctx.getRawRequest<{ auth?: unknown }>()?.auth;
    return text({
      subject: principal.subject,
      scopes: [...principal.scopes],
      sameInAuthInfo: mcpPrincipal({ authInfo }) === principal,
    });
  }

  @Scopes('notes:read')
  @Tool({ name: 'list_notes', description: 'Lists notes' })
  list() {
    ran.push('list_notes');
    return text(['a note']);
  }

  @Scopes('notes:write')
  @Tool({
    name: 'add_note',
    description: 'Adds a note',
    parameters: z.object({ text: z.string() }),
  })
  add(@Payload() { text: note }: { text: string }) {
    ran.push(`add_note ${note}`);
    return text({ added: note });
  }

  // Public wins over the scope, as on a route: listed and called with any token for the endpoint.
  @Public()
  @Scopes('notes:admin')
  @Tool({ name: 'ping', description: 'Answers pong' })
  ping() {
    ran.push('ping');
    return text('pong');
  }

  @Roles('admin')
  @Tool({ name: 'purge', description: 'Deletes every note' })
  purge() {
    ran.push('purge');
    return text({ purged: true });
  }

  @Scopes('notes:admin')
  @Prompt({ name: 'summarize', description: 'Summarize the notes' })
  summarize() {
    ran.push('summarize');
    return { messages: [{ role: 'user', content: { type: 'text', text: 'Summarize' } }] };
  }
}

async function notesApp(platform: Platform, issuer: LocalIssuer, port: number) {
  const base = `http://127.0.0.1:${port}`;
  const transport = new StreamableHttpTransport();

  @ProtectedResource('mcp')
  @McpEndpoint()
  @Controller('mcp')
  class NotesMcpEndpoint extends McpHttpControllerFor(transport) {}

  const ref = await Test.createTestingModule({
    imports: [
      OidcAuthModule.forRoot({
        issuers: [{ issuer: issuer.issuer, audience: [`${base}/mcp`, base] }],
        protectedResource: { resource: base },
        protectedResources: { mcp: { resource: `${base}/mcp` } },
      }),
      OidcMcpModule.forRoot({ hideForbiddenTools: true }),
    ],
    controllers: [NotesTools, NotesMcpEndpoint],
  }).compile();
  const app = await initApp(ref, platform);
  app.connectMicroservice(
    {
      strategy: new McpStrategy({
        name: 'notes',
        version: '1.0.0',
        transports: [transport],
        serverMutator: hideForbiddenTools,
        logging: false,
      }),
    },
    { inheritAppConfig: false },
  );
  await app.startAllMicroservices();
  await app.listen(port, '127.0.0.1');
  return app;
}

describe.each(PLATFORMS)('an MCP server of @rekog/mcp-nest on %s', (platform: Platform) => {
  let issuer: LocalIssuer;
  let app: INestApplication;
  let url: string;

  const token = (scopes: string[], aud = url) => issuer.mint({ aud, scope: scopes.join(' ') });

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
    const port = await freePort();
    url = `http://127.0.0.1:${port}/mcp`;
    app = await notesApp(platform, issuer, port);
  });

  afterAll(async () => {
    await app?.close();
    await issuer?.close();
  });

  beforeEach(() => (ran.length = 0));

  it('lists the tools the token may call and runs them, the caller in the tool', async () => {
    const mcp = await mcpClient(url, await token(['notes:read']));
    const { tools } = await mcp.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['list_notes', 'ping', 'whoami']);
    const whoami = await mcp.client.callTool({ name: 'whoami', arguments: {} });
    expect(JSON.parse((whoami.content as { text: string }[])[0].text)).toEqual({
      subject: 'user-1',
      scopes: ['notes:read'],
      sameInAuthInfo: true,
    });
    await mcp.client.callTool({ name: 'list_notes', arguments: {} });
    await mcp.client.callTool({ name: 'ping', arguments: {} });
    expect(ran).toEqual(['whoami', 'list_notes', 'ping']);
    await mcp.close();
  });

  it('answers a request without a token 401, naming the scopes of its tools', async () => {
    await expect(mcpClient(url)).rejects.toThrow();
    const res = await fetch(url, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
    expect(parseChallenges(res.headers.get('www-authenticate')!)[0].params).toEqual({
      realm: 'api',
      scope: 'notes:read notes:write notes:admin',
      resource_metadata: `${new URL(url).origin}/.well-known/oauth-protected-resource/mcp`,
    });
  });

  it('answers a tools/call the token does not allow 403 with the scope it needs, before the tool runs', async () => {
    const mcp = await mcpClient(url, await token(['notes:read']));
    await expect(
      mcp.client.callTool({ name: 'add_note', arguments: { text: 'sneaky' } }),
    ).rejects.toThrow(/403/);
    const refusal = mcp.answers.at(-1)!;
    expect(refusal.status).toBe(403);
    expect(parseChallenges(refusal.challenge!)[0].params).toMatchObject({
      error: 'insufficient_scope',
      scope: 'notes:write',
      resource_metadata: `${new URL(url).origin}/.well-known/oauth-protected-resource/mcp`,
    });
    expect(ran).toEqual([]);
    const writer = await mcpClient(url, await token(['notes:read', 'notes:write']));
    await writer.client.callTool({ name: 'add_note', arguments: { text: 'fine' } });
    expect(ran).toEqual(['add_note fine']);
    await mcp.close();
    await writer.close();
  });

  it('refuses batches, notifications, prompts and roles the token does not allow', async () => {
    const reader = await token(['notes:read']);
    const batch = await postMcp(url, reader, [
      toolCall('list_notes', 1),
      toolCall('add_note', 2, { text: 'batched' }),
    ]);
    expect(batch.status).toBe(403);
    expect(parseChallenges(batch.challenge!)[0].params.scope).toBe('notes:write');
    const notification = await postMcp(url, reader, toolCall('add_note', null, { text: 'x' }));
    expect(notification.status).toBe(403);
    const prompt = await postMcp(url, reader, {
      jsonrpc: '2.0',
      id: 3,
      method: 'prompts/get',
      params: { name: 'summarize' },
    });
    expect(prompt.status).toBe(403);
    expect(parseChallenges(prompt.challenge!)[0].params.scope).toBe('notes:admin');
    const purge = await postMcp(url, reader, toolCall('purge', 4));
    expect(purge.status).toBe(403);
    expect(parseChallenges(purge.challenge!)[0].params).not.toHaveProperty('scope');
    expect(ran).toEqual([]);
  });

  it('refuses a body it cannot read (not sent as JSON) rather than let it through unchecked', async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${await token(['notes:read'])}`,
        'Content-Type': 'text/plain',
        Accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify(toolCall('add_note', 1, { text: 'smuggled' })),
    });
    expect(res.status).toBe(415);
    expect(ran).toEqual([]);
  });

  it('refuses a token issued for another resource of the application', async () => {
    const res = await postMcp(
      url,
      await token(['notes:read'], new URL(url).origin),
      toolCall('list_notes', 1),
    );
    expect(res.status).toBe(401);
    expect(parseChallenges(res.challenge!)[0].params.error_description).toBe(
      'The token is not meant for this resource (audience)',
    );
    expect(ran).toEqual([]);
  });
});
