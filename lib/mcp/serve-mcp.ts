import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadPeer } from '../nest/peers/optional-peer.js';
import { toolsHiddenFrom } from './mcp-auth-info.js';
import { declaredCapabilities } from './sdk-server.js';

type StreamableHttp = { StreamableHTTPServerTransport: typeof StreamableHTTPServerTransport };

/** An Express request or response is the Node one; a Fastify one has it as `raw`. */
function nodeOf<T>(message: unknown): T {
  const raw = (message as { raw?: unknown } | null)?.raw;
  return (raw ?? message) as T;
}

/**
 * Serves one MCP POST of an `@McpEndpoint()` route with a server of the official SDK, statelessly
 * (a new `StreamableHTTPServerTransport` per request, JSON responses), on Express and Fastify alike:
 * `await serveMcp(buildServer(), request, response)` from a handler that takes `@Req()` and
 * `@Res()`. Other methods than POST (an `@All()` route) are answered 405, as a stateless server has
 * no stream to open and no session to end. The tools the caller may not call are out of `tools/list` with `hideForbiddenTools`;
 * handlers find the caller in `extra.authInfo` (`mcpPrincipal(extra)`).
 */
export async function serveMcp(
  server: McpServer,
  request: unknown,
  response: unknown,
): Promise<void> {
  const req = nodeOf<IncomingMessage & { auth?: AuthInfo }>(request);
  const res = nodeOf<ServerResponse>(response);
  // Stateless: no stream to open (GET), no session to end (DELETE).
  if (req.method !== 'POST') {
    res.writeHead(405, { Allow: 'POST', 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Method not allowed: this MCP endpoint is stateless' },
        id: null,
      }),
    );
    return;
  }
  const hidden = toolsHiddenFrom(req.auth);
  if (hidden) {
    for (const tool of declaredCapabilities(server).tools) {
      if (hidden.has(tool.name)) tool.hide?.();
    }
  }
  const { StreamableHTTPServerTransport } = await loadPeer<StreamableHttp>(
    '@modelcontextprotocol/sdk/server/streamableHttp.js',
  );
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, (request as { body?: unknown }).body);
}
