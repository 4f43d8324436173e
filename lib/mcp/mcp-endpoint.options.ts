import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

export const MCP_ENDPOINT_KEY = 'oidc-auth:mcp-endpoint';

/** Which MCP server a route serves, so that its tools' requirements are known before it runs. */
export interface McpEndpointOptions {
  /**
   * Official SDK: the function that builds the endpoint's server, with its tools, resources and
   * prompts registered by this module's `registerTool`, `registerResource` and `registerPrompt`.
   * Called once at startup to read their requirements; the route then builds its own server per
   * request. Without it, the endpoint serves `@rekog/mcp-nest` capabilities.
   */
  server?: () => McpServer;
  /**
   * `@rekog/mcp-nest`: the server name of the `McpStrategy` and `@McpController`s the route serves;
   * default the unnamed one.
   */
  mcpNestServer?: string;
}
