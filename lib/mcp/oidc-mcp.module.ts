import { type DynamicModule, Module } from '@nestjs/common';
import { McpAuthorization } from './mcp-authorization.js';
import { McpEndpointGuard } from './mcp-endpoint.guard.js';
import { OIDC_MCP_OPTIONS, type OidcMcpOptions } from './oidc-mcp.options.js';

/**
 * `OidcMcpModule.forRoot()`, beside `OidcAuthModule.forRoot()`: what `@McpEndpoint()` routes need.
 * Global, so that the endpoints of every module find it.
 */
@Module({})
export class OidcMcpModule {
  static forRoot(options: OidcMcpOptions = {}): DynamicModule {
    return {
      module: OidcMcpModule,
      global: true,
      providers: [
        { provide: OIDC_MCP_OPTIONS, useValue: { ...options } },
        McpAuthorization,
        McpEndpointGuard,
      ],
      exports: [McpAuthorization, McpEndpointGuard],
    };
  }
}
