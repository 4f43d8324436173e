import type { RoutePolicy } from '../nest/policy/route-policy.js';
import type { McpCall, McpCapabilityKind } from './json-rpc-calls.js';

/** What the module knows of one tool, resource or prompt: its policy, and how to hide it. */
export interface McpCapability {
  kind: McpCapabilityKind;
  /** The tool or prompt name, or the resource URI (template). */
  name: string;
  policy: RoutePolicy;
  /** The method that implements it, for messages (`@rekog/mcp-nest`). */
  method?: string;
  /** Resource templates: whether a URI is one of its resources. */
  matches?(uri: string): boolean;
  /** Takes it out of `tools/list` on this server (official SDK: one server per request). */
  hide?(): void;
}

/**
 * The capabilities of one MCP server with their policies, as the endpoint's guard looks them up.
 * A call of a name it does not know has no policy here: the MCP server answers it (unknown tool).
 */
export class McpCapabilities {
  private readonly named = new Map<string, McpCapability>();
  private readonly templates: McpCapability[] = [];

  add(capability: McpCapability): void {
    if (capability.matches) this.templates.push(capability);
    else this.named.set(`${capability.kind} ${capability.name}`, capability);
  }

  /** The capability a call uses, if this server has it. */
  of(call: McpCall): McpCapability | undefined {
    if (!call.kind || call.name === undefined) return undefined;
    const named = this.named.get(`${call.kind} ${call.name}`);
    if (named || call.kind !== 'resource') return named;
    return this.templates.find((template) => template.matches!(call.name!));
  }

  get tools(): McpCapability[] {
    return [...this.named.values()].filter((capability) => capability.kind === 'tool');
  }

  get all(): McpCapability[] {
    return [...this.named.values(), ...this.templates];
  }

  /**
   * The scopes its tools, resources and prompts need: what a client asks for with its first token
   * (the preferred, first, scope of each `anyScope`).
   */
  get scopes(): string[] {
    const scopes = this.all.flatMap(({ policy }) =>
      policy.isPublic ? [] : policy.scopes.map((group) => group[0]),
    );
    return [...new Set(scopes)];
  }
}

/**
 * A matcher for an RFC 6570 level 1 URI template (`notes://{id}`): each expression stands for one
 * non-empty segment without `/`. Enough to find the requirement of a template's resource.
 */
export function uriTemplateMatcher(template: string): (uri: string) => boolean {
  const pattern = template
    .split(/(\{[^}]*\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const regex = new RegExp(`^${pattern}$`);
  return (uri) => regex.test(uri);
}
