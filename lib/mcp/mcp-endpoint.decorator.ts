import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { McpEndpointGuard } from './mcp-endpoint.guard.js';
import { MCP_ENDPOINT_KEY, type McpEndpointOptions } from './mcp-endpoint.options.js';

/**
 * Marks a controller route (or every route of a controller) as a Streamable HTTP MCP endpoint. The
 * module's guard authenticates it as any route (401 with `scope` and `resource_metadata`); then,
 * before the handler runs, each `tools/call`, `resources/read` and `prompts/get` of the body (a
 * batch, notifications included) is held to the requirement of what it calls: one the token does
 * not meet answers 403 `insufficient_scope` with the scopes that call needs (MCP step-up), or 401
 * `insufficient_user_authentication` for a sign-in too weak or old, and no handler runs. Needs
 * `OidcMcpModule`.
 */
export function McpEndpoint(options: McpEndpointOptions = {}) {
  if (options.server !== undefined && typeof options.server !== 'function') {
    throw new TypeError('@McpEndpoint() server must be a function that builds the McpServer');
  }
  return applyDecorators(SetMetadata(MCP_ENDPOINT_KEY, options), UseGuards(McpEndpointGuard));
}
