export const OIDC_MCP_OPTIONS = Symbol('OIDC_MCP_OPTIONS');

/** `OidcMcpModule.forRoot()`. */
export interface OidcMcpOptions {
  /**
   * `tools/list` leaves out the tools the caller may not call (their scopes, roles, policies and
   * sign-in requirements checked as a call would be). Default false: clients see every tool and
   * learn what one needs from the 403 when they call it. With `@rekog/mcp-nest`, also give
   * `McpStrategy` the `serverMutator: hideForbiddenTools`.
   */
  hideForbiddenTools?: boolean;
}
