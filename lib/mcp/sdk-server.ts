import type {
  McpServer,
  PromptCallback,
  ReadResourceCallback,
  ReadResourceTemplateCallback,
  RegisteredPrompt,
  RegisteredResource,
  RegisteredResourceTemplate,
  RegisteredTool,
  ResourceMetadata,
  ResourceTemplate,
  ToolCallback,
} from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AnySchema, ZodRawShapeCompat } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { McpCapabilities } from './mcp-capabilities.js';
import { type McpRequirement, mcpRequirementPolicy } from './mcp-requirement.js';

const declared = new WeakMap<McpServer, McpCapabilities>();

/** The tools, resources and prompts registered on `server` through this module, with their policies. */
export function declaredCapabilities(server: McpServer): McpCapabilities {
  let capabilities = declared.get(server);
  if (!capabilities) {
    capabilities = new McpCapabilities();
    declared.set(server, capabilities);
  }
  return capabilities;
}

/** `requires`: what a caller needs to use the capability; without it, any token for the endpoint. */
export interface McpRequires {
  requires?: McpRequirement;
}

/**
 * `server.registerTool(name, config, handler)` of the official SDK, with the tool's requirement in
 * `config.requires`: a `tools/call` the token does not meet is answered 403 (or 401 for step-up)
 * at the endpoint, before the handler runs, and `hideForbiddenTools` takes the tool out of the
 * `tools/list` of callers who may not call it. A malformed requirement throws here.
 */
export function registerTool<
  OutputArgs extends ZodRawShapeCompat | AnySchema,
  InputArgs extends undefined | ZodRawShapeCompat | AnySchema = undefined,
>(
  server: McpServer,
  name: string,
  config: {
    title?: string;
    description?: string;
    inputSchema?: InputArgs;
    outputSchema?: OutputArgs;
    annotations?: ToolAnnotations;
    _meta?: Record<string, unknown>;
  } & McpRequires,
  handler: ToolCallback<InputArgs>,
): RegisteredTool {
  const { requires, ...tool } = config;
  const policy = mcpRequirementPolicy(`tool ${name}`, requires);
  const registered = server.registerTool<OutputArgs, InputArgs>(name, tool, handler);
  declaredCapabilities(server).add({
    kind: 'tool',
    name,
    policy,
    hide: () => registered.disable(),
  });
  return registered;
}

/**
 * `server.registerResource(name, uriOrTemplate, config, read)` of the official SDK, with the
 * resource's requirement in `config.requires`, enforced on `resources/read` before `read` runs.
 */
export function registerResource(
  server: McpServer,
  name: string,
  uri: string,
  config: ResourceMetadata & McpRequires,
  read: ReadResourceCallback,
): RegisteredResource;
export function registerResource(
  server: McpServer,
  name: string,
  template: ResourceTemplate,
  config: ResourceMetadata & McpRequires,
  read: ReadResourceTemplateCallback,
): RegisteredResourceTemplate;
export function registerResource(
  server: McpServer,
  name: string,
  uriOrTemplate: string | ResourceTemplate,
  config: ResourceMetadata & McpRequires,
  read: ReadResourceCallback | ReadResourceTemplateCallback,
): RegisteredResource | RegisteredResourceTemplate {
  const { requires, ...metadata } = config;
  const policy = mcpRequirementPolicy(`resource ${name}`, requires);
  if (typeof uriOrTemplate === 'string') {
    declaredCapabilities(server).add({ kind: 'resource', name: uriOrTemplate, policy });
    return server.registerResource(name, uriOrTemplate, metadata, read as ReadResourceCallback);
  }
  declaredCapabilities(server).add({
    kind: 'resource',
    name: uriOrTemplate.uriTemplate.toString(),
    policy,
    matches: (uri) => uriOrTemplate.uriTemplate.match(uri) !== null,
  });
  return server.registerResource(
    name,
    uriOrTemplate,
    metadata,
    read as ReadResourceTemplateCallback,
  );
}

/**
 * `server.registerPrompt(name, config, handler)` of the official SDK, with the prompt's
 * requirement in `config.requires`, enforced on `prompts/get` before `handler` runs.
 */
export function registerPrompt<Args extends ZodRawShapeCompat>(
  server: McpServer,
  name: string,
  config: { title?: string; description?: string; argsSchema?: Args } & McpRequires,
  handler: PromptCallback<Args>,
): RegisteredPrompt {
  const { requires, ...prompt } = config;
  const policy = mcpRequirementPolicy(`prompt ${name}`, requires);
  declaredCapabilities(server).add({ kind: 'prompt', name, policy });
  return server.registerPrompt(name, prompt, handler);
}
