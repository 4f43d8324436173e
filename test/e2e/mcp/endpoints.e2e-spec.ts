import { jest } from '@jest/globals';
import { All, Controller, Post, Req, Res } from '@nestjs/common';
import * as microservices from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  OidcAuthConfigError,
  OidcAuthModule,
  type OidcAuthModuleOptions,
  ProtectedResource,
  Scopes,
} from '../../../lib/index.js';
import { McpEndpoint, OidcMcpModule, registerTool, serveMcp } from '../../../lib/mcp/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { shareNestWithCommonJsPeers } from '../../support/cjs-nest-peers.js';
import { freePort } from '../../support/free-port.js';
import { mcpClient, postMcp, toolCall } from '../../support/mcp-client.js';
import { initApp } from '../../support/test-app.js';

// @rekog/mcp-nest is CommonJS and require()s Nest, microservices included.
shareNestWithCommonJsPeers();
jest.mock('@nestjs/microservices', () => microservices);
const { McpController, McpHttpControllerFor, StreamableHttpTransport, Tool } =
  await import('@rekog/mcp-nest');

const MCP = 'https://api.example.test/mcp';

function serverNeedingPolicy(): McpServer {
  const server = new McpServer({ name: 'audit', version: '1.0.0' });
  registerTool(server, 'audit', { requires: { policies: ['auditors'] } }, () => ({
    content: [],
  }));
  return server;
}

@ProtectedResource('mcp')
@Controller('mcp')
class PolicyEndpoint {
  @McpEndpoint({ server: serverNeedingPolicy })
  @Post()
  async handle(@Req() request: unknown, @Res() response: unknown): Promise<void> {
    await serveMcp(serverNeedingPolicy(), request, response);
  }
}

// No @ProtectedResource: the tool would be under the root resource, its endpoint under mcp.
@McpController()
class Unplaced {
  @Scopes('notes:read')
  @Tool({ name: 'list_notes', description: 'Lists notes' })
  list() {
    return { content: [] };
  }
}

const transport = new StreamableHttpTransport();

const serverRequiring = (scope: string) => () => {
  const server = new McpServer({ name: scope, version: '1.0.0' });
  registerTool(server, 'x', { requires: { scopes: [scope] } }, () => ({ content: [] }));
  return server;
};
const serverA = serverRequiring('a');
const serverB = serverRequiring('b');

// Two endpoints whose handler is one function, their base's.
abstract class EndpointBase {
  abstract build(): McpServer;

  @All()
  async handle(@Req() request: unknown, @Res() response: unknown): Promise<void> {
    await serveMcp(this.build(), request, response);
  }
}

@ProtectedResource('mcp')
@McpEndpoint({ server: serverA })
@Controller('a')
class EndpointA extends EndpointBase {
  build = serverA;
}

@ProtectedResource('mcp')
@McpEndpoint({ server: serverB })
@Controller('b')
class EndpointB extends EndpointBase {
  build = serverB;
}

@ProtectedResource('mcp')
@McpEndpoint()
@Controller('mcp')
class MisplacedEndpoint extends McpHttpControllerFor(transport) {}

describe('MCP endpoints', () => {
  let issuer: LocalIssuer;
  const options = (extra: Partial<OidcAuthModuleOptions> = {}): OidcAuthModuleOptions => ({
    issuers: [{ issuer: issuer.issuer, audience: MCP }],
    protectedResources: { mcp: { resource: MCP } },
    ...extra,
  });
  const start = async (controllers: unknown[], extra?: Partial<OidcAuthModuleOptions>) => {
    const ref = await Test.createTestingModule({
      imports: [OidcAuthModule.forRoot(options(extra)), OidcMcpModule.forRoot()],
      controllers: controllers as never[],
    }).compile();
    return initApp(ref, 'express');
  };

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
  });

  afterAll(() => issuer.close());

  it('stops the application when a tool requires a policy nobody registered', async () => {
    await expect(start([PolicyEndpoint])).rejects.toThrow(
      new OidcAuthConfigError(
        'policies',
        'has no policy auditors, which the MCP tool audit of PolicyEndpoint.handle requires (registered: none)',
      ),
    );
    const app = await start([PolicyEndpoint], { policies: { auditors: () => true } });
    await app.close();
  });

  it('stops the application when a @rekog/mcp-nest tool is under another resource than its endpoint', async () => {
    await expect(start([Unplaced, MisplacedEndpoint])).rejects.toThrow(
      'puts the MCP tool list_notes under the root resource, but its endpoint MisplacedEndpoint.post is under mcp',
    );
  });

  it('lists every tool when hideForbiddenTools is off (the default)', async () => {
    const port = await freePort();
    const resource = `http://127.0.0.1:${port}/mcp`;
    const app = await start([PolicyEndpoint], {
      issuers: [{ issuer: issuer.issuer, audience: resource }],
      protectedResources: { mcp: { resource } },
      policies: { auditors: () => false },
    });
    await app.listen(port, '127.0.0.1');
    const mcp = await mcpClient(resource, await issuer.mint({ aud: resource }));
    expect((await mcp.client.listTools()).tools.map((tool) => tool.name)).toEqual(['audit']);
    await mcp.close();
    await app.close();
  });

  it('keeps apart the tools of two endpoints whose controllers share a base', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const app = await start([EndpointA, EndpointB], {
      issuers: [{ issuer: issuer.issuer, audience: base }],
      protectedResources: { mcp: { resource: base } },
    });
    await app.listen(port, '127.0.0.1');
    const tokenA = await issuer.mint({ aud: base, scope: 'a' });
    expect((await postMcp(`${base}/a`, tokenA, toolCall('x', 1))).status).toBe(200);
    const atB = await postMcp(`${base}/b`, tokenA, toolCall('x', 1));
    expect(atB.status).toBe(403);
    expect(atB.challenge).toContain('scope="b"');
    await app.close();
  });
});
