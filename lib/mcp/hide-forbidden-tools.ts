import { toolsHiddenFrom } from './mcp-auth-info.js';

type Handler = (request: unknown, context: unknown) => unknown;

/** The part of a `@modelcontextprotocol/server` 2.x `McpServer` this needs. */
export interface McpServerWithHandlers {
  server: { setRequestHandler(method: string, handler: Handler): unknown };
}

/**
 * For `@rekog/mcp-nest`, whose strategy builds its servers itself: give it to `McpStrategy` as
 * `serverMutator`, and with `OidcMcpModule.forRoot({ hideForbiddenTools: true })` its `tools/list`
 * leaves out the tools the caller may not call. Servers built with the official SDK and served by
 * `serveMcp()` need nothing of the kind.
 */
export function hideForbiddenTools<S extends McpServerWithHandlers>(server: S): S {
  const handlers = server.server;
  const setRequestHandler = handlers.setRequestHandler.bind(handlers);
  handlers.setRequestHandler = (method, handler) =>
    setRequestHandler(
      method,
      method !== 'tools/list'
        ? handler
        : async (request, context) => {
            const listed = (await handler(request, context)) as { tools?: { name: string }[] };
            const hidden = toolsHiddenFrom(
              (context as { http?: { authInfo?: unknown } } | undefined)?.http?.authInfo,
            );
            return hidden && Array.isArray(listed?.tools)
              ? { ...listed, tools: listed.tools.filter((tool) => !hidden.has(tool.name)) }
              : listed;
          },
    );
  return server;
}
