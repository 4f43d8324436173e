/**
 * Authorization of MCP servers: `OidcMcpModule`, `@McpEndpoint()` and the tool registration helpers.
 *
 * @module nest-oidc-auth/mcp
 */
export { OidcMcpModule } from './oidc-mcp.module.js';
export type { OidcMcpOptions } from './oidc-mcp.options.js';
export { McpEndpoint } from './mcp-endpoint.decorator.js';
export type { McpEndpointOptions } from './mcp-endpoint.options.js';
export type { McpRequirement } from './mcp-requirement.js';
export { registerPrompt, registerResource, registerTool } from './sdk-server.js';
export type { McpRequires } from './sdk-server.js';
export { serveMcp } from './serve-mcp.js';
export { mcpPrincipal } from './mcp-auth-info.js';
export type { McpAuthInfo } from './mcp-auth-info.js';
export { hideForbiddenTools } from './hide-forbidden-tools.js';
export type { McpServerWithHandlers } from './hide-forbidden-tools.js';
