import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** One HTTP answer the MCP client got: its status and `WWW-Authenticate`. */
export interface McpAnswer {
  status: number;
  challenge: string | null;
}

/**
 * The official SDK's client over Streamable HTTP, sending `token` as a bearer token, with every
 * HTTP answer it got recorded (a refused call surfaces as an error, its status and challenge here).
 */
export async function mcpClient(
  url: string,
  token?: string,
): Promise<{ client: Client; answers: McpAnswer[]; close(): Promise<void> }> {
  const answers: McpAnswer[] = [];
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: token ? { headers: { Authorization: `Bearer ${token}` } } : {},
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      answers.push({
        status: response.status,
        challenge: response.headers.get('www-authenticate'),
      });
      return response;
    },
  });
  const client = new Client({ name: 'nest-oidc-auth-e2e', version: '1.0.0' });
  await client.connect(transport);
  return { client, answers, close: () => client.close() };
}

/** A raw MCP POST (a batch, a notification) with `token`: status, challenge and parsed body. */
export async function postMcp(
  url: string,
  token: string,
  body: unknown,
): Promise<McpAnswer & { body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Protocol-Version': '2025-06-18',
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate'),
    body: parsed,
  };
}

/** A JSON-RPC `tools/call` of `name`: `id` null makes it a notification. */
export function toolCall(name: string, id: number | null, args: Record<string, unknown> = {}) {
  return {
    jsonrpc: '2.0',
    ...(id === null ? {} : { id }),
    method: 'tools/call',
    params: { name, arguments: args },
  };
}
