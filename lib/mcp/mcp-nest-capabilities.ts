import type { Type } from '@nestjs/common';
import { MetadataScanner, type ModulesContainer } from '@nestjs/core';
import type { RoutePolicyReader } from '../nest/policy/route-policy.js';
import type { McpCapabilityKind } from './json-rpc-calls.js';
import { McpCapabilities, uriTemplateMatcher } from './mcp-capabilities.js';

// Keys of @rekog/mcp-nest 2, read without importing that optional peer.
const MCP_CONTROLLER = 'mcp:controller';
const MCP_SERVER_NAME = 'mcp:server-name';
const CAPABILITIES: readonly [string, McpCapabilityKind, 'name' | 'uri' | 'uriTemplate'][] = [
  ['mcp:tool', 'tool', 'name'],
  ['mcp:resource', 'resource', 'uri'],
  ['mcp:resource-template', 'resource', 'uriTemplate'],
  ['mcp:prompt', 'prompt', 'name'],
];

/**
 * The tools, resources and prompts of the `@McpController`s of one `@rekog/mcp-nest` server, each
 * with the policy of its method: `@Scopes`, `@Roles`, `@Policy`, `@RequireAuthentication` and the
 * rest, read as the guard reads a route's. The guard runs on these methods too (they are message
 * handlers); checking them at the endpoint first is what turns a refusal into an HTTP 403.
 */
export function mcpNestCapabilities(
  modules: ModulesContainer,
  reader: RoutePolicyReader,
  server: string | undefined,
): McpCapabilities {
  const capabilities = new McpCapabilities();
  const scanner = new MetadataScanner();
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as Type | null;
      if (!type || Reflect.getMetadata(MCP_CONTROLLER, type) !== true) continue;
      if (Reflect.getMetadata(MCP_SERVER_NAME, type) !== server) continue;
      for (const method of scanner.getAllMethodNames(type.prototype)) {
        const handler = type.prototype[method] as (...args: unknown[]) => unknown;
        for (const [key, kind, field] of CAPABILITIES) {
          const options = Reflect.getMetadata(key, handler) as Record<string, unknown> | undefined;
          if (!options) continue;
          const name = typeof options[field] === 'string' ? (options[field] as string) : method;
          capabilities.add({
            kind,
            name,
            policy: reader.for(type, handler),
            method: `${type.name}.${method}`,
            ...(field === 'uriTemplate' && { matches: uriTemplateMatcher(name) }),
          });
        }
      }
    }
  }
  return capabilities;
}
