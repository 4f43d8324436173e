import { createServer, type Server } from 'node:http';
import { Controller, type INestApplication, Post, Req, Res } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { OidcAuthModule, ProtectedResource } from '../../../lib/index.js';
import { McpEndpoint, OidcMcpModule, registerTool, serveMcp } from '../../../lib/mcp/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { parseChallenges } from '../../support/challenges.js';
import { freePort } from '../../support/free-port.js';
import { initApp, PLATFORMS } from '../../support/test-app.js';

const ran: string[] = [];

function notesServer(): McpServer {
  const server = new McpServer({ name: 'notes', version: '1.0.0' });
  registerTool(server, 'list_notes', { requires: { scopes: ['notes:read'] } }, () => {
    ran.push('list_notes');
    return { content: [{ type: 'text', text: '[]' }] };
  });
  registerTool(
    server,
    'add_note',
    { inputSchema: { text: z.string() }, requires: { scopes: ['notes:write'] } },
    ({ text }) => {
      ran.push(`add_note ${text}`);
      return { content: [{ type: 'text', text: 'added' }] };
    },
  );
  return server;
}

@ProtectedResource('mcp')
@Controller('mcp')
class McpController {
  @McpEndpoint({ server: notesServer })
  @Post()
  async handle(@Req() request: unknown, @Res() response: unknown): Promise<void> {
    await serveMcp(notesServer(), request, response);
  }
}

/**
 * The SDK's client credentials provider, asking for the scopes of the last challenge together with
 * those it holds, as the MCP specification has clients do (the SDK 1.x provider asks for its
 * configured scope whatever the challenge says).
 */
class StepUpProvider extends ClientCredentialsProvider {
  private readonly granted = new Set<string>();
  challenged = '';

  override prepareTokenRequest(): URLSearchParams {
    for (const scope of this.challenged.split(' ').filter(Boolean)) this.granted.add(scope);
    return super.prepareTokenRequest([...this.granted].join(' '));
  }
}

interface TokenRequest {
  grant: string | null;
  scope: string | null;
  resource: string | null;
}

/**
 * An authorization server for the client credentials grant, just enough for the SDK's `auth()`:
 * its metadata, and a token endpoint handing out LocalIssuer tokens for the scopes and the
 * resource (RFC 8707) asked for.
 */
async function authorizationServer(
  issuer: LocalIssuer,
): Promise<{ url: string; requests: TokenRequest[]; close(): Promise<void> }> {
  const requests: TokenRequest[] = [];
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server: Server = createServer((req, res) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/.well-known/oauth-authorization-server') {
      return json(200, {
        issuer: url,
        authorization_endpoint: `${url}/authorize`,
        token_endpoint: `${url}/token`,
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        response_types_supported: ['code'],
      });
    }
    if (req.method !== 'POST' || req.url !== '/token') return json(404, {});
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const request = {
        grant: form.get('grant_type'),
        scope: form.get('scope'),
        resource: form.get('resource'),
      };
      requests.push(request);
      void issuer
        .mint({ aud: request.resource, scope: request.scope ?? '', client_id: 'agent' })
        .then((token) =>
          json(200, {
            access_token: token,
            token_type: 'Bearer',
            expires_in: 300,
            ...(request.scope && { scope: request.scope }),
          }),
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(PLATFORMS)(
  'the official SDK client’s auth() against an MCP endpoint on %s',
  (platform) => {
    let issuer: LocalIssuer;
    let as: Awaited<ReturnType<typeof authorizationServer>>;
    let app: INestApplication;
    let resource: string;

    beforeAll(async () => {
      issuer = await LocalIssuer.start();
      as = await authorizationServer(issuer);
      const port = await freePort();
      resource = `http://127.0.0.1:${port}/mcp`;
      const ref = await Test.createTestingModule({
        imports: [
          OidcAuthModule.forRoot({
            issuers: [{ issuer: issuer.issuer, audience: resource }],
            protectedResources: {
              // The scopes a client asks for first: reading; writing takes a step up.
              mcp: { resource, scopes: ['notes:read'], authorizationServers: [as.url] },
            },
          }),
          OidcMcpModule.forRoot(),
        ],
        controllers: [McpController],
      }).compile();
      app = await initApp(ref, platform);
      await app.listen(port, '127.0.0.1');
    });

    afterAll(async () => {
      await app?.close();
      await as?.close();
      await issuer?.close();
    });

    it('discovers the server from the 401, gets a token for it, and steps up on 403', async () => {
      ran.length = 0;
      const provider = new StepUpProvider({
        clientId: 'agent',
        clientSecret: 'secret',
        expectedIssuer: as.url,
      });
      const client = new Client({ name: 'step-up', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(resource), {
          authProvider: provider,
          fetch: async (input, init) => {
            const response = await fetch(input, init);
            const challenge = response.headers.get('www-authenticate');
            if (challenge) provider.challenged = parseChallenges(challenge)[0].params.scope ?? '';
            return response;
          },
        }),
      );
      await client.callTool({ name: 'list_notes', arguments: {} });
      const added = await client.callTool({ name: 'add_note', arguments: { text: 'stepped up' } });
      expect(added.isError).toBeFalsy();
      expect(as.requests).toEqual([
        // From the 401 of the first request: the resource's scopes, for this resource only.
        { grant: 'client_credentials', scope: 'notes:read', resource },
        // From the 403 of add_note: what that call needs, with what the client holds.
        { grant: 'client_credentials', scope: 'notes:read notes:write', resource },
      ]);
      // The refused call did not run; it ran once, after the step-up.
      expect(ran).toEqual(['list_notes', 'add_note stepped up']);
      await client.close();
    });
  },
);
