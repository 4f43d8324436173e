/** What an MCP request asks for, as far as authorization is concerned. */
export type McpCapabilityKind = 'tool' | 'resource' | 'prompt';

/** One JSON-RPC message of an MCP POST body that names a capability or lists tools. */
export interface McpCall {
  /** The JSON-RPC method: `tools/call`, `resources/read`, `prompts/get` or `tools/list`. */
  method: string;
  /** The capability the message uses; absent for `tools/list`. */
  kind?: McpCapabilityKind;
  /** The tool or prompt name, or the resource URI. */
  name?: string;
}

// The methods that run one capability, and the parameter naming it.
const CALLS: Readonly<Record<string, readonly [McpCapabilityKind, 'name' | 'uri']>> = {
  'tools/call': ['tool', 'name'],
  'resources/read': ['resource', 'uri'],
  'prompts/get': ['prompt', 'name'],
};

function callOf(message: unknown): McpCall | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const { method, params } = message as { method?: unknown; params?: unknown };
  if (method === 'tools/list') return { method };
  if (typeof method !== 'string' || !Object.hasOwn(CALLS, method)) return undefined;
  const [kind, key] = CALLS[method];
  const value =
    typeof params === 'object' && params !== null
      ? (params as Record<string, unknown>)[key]
      : undefined;
  // A call without a usable name cannot run anything: the MCP server answers it with its own
  // invalid-params error, and no requirement applies.
  return typeof value === 'string' ? { method, kind, name: value } : undefined;
}

/**
 * The capability calls (and tool listings) of an MCP POST body: one JSON-RPC message or a batch of
 * them. Requests and notifications alike: a message without `id` that names a tool is checked as
 * strictly as a request, whatever the server would do with it. Anything else (responses, other
 * methods, a body that is not JSON-RPC) is no call: the MCP server answers it.
 */
export function mcpCalls(body: unknown): McpCall[] {
  const messages = Array.isArray(body) ? body : [body];
  return messages.map(callOf).filter((call): call is McpCall => call !== undefined);
}
