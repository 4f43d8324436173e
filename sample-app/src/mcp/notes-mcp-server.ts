import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { OidcPrincipal } from '../../../lib/index.js';
import type { NotesService } from '../notes/notes.service.js';

/** The scopes each tool needs: what the MCP endpoint's challenges and metadata name. */
export const MCP_TOOL_SCOPES = {
  whoami: [],
  list_notes: ['notes:read'],
  add_note: ['notes:write'],
} as const satisfies Record<string, readonly string[]>;

const json = (value: unknown): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(value) }],
  structuredContent: value as Record<string, unknown>,
});

// Until the per-tool requirements of nest-oidc-auth/mcp answer 403 before a tool runs, each tool
// refuses a caller without its scopes itself.
function allowed(
  principal: OidcPrincipal,
  tool: keyof typeof MCP_TOOL_SCOPES,
): CallToolResult | undefined {
  const missing = MCP_TOOL_SCOPES[tool].filter((scope) => !principal.hasScope(scope));
  if (missing.length === 0) return undefined;
  return {
    isError: true,
    content: [{ type: 'text', text: `${tool} needs the scope ${missing.join(' ')}` }],
  };
}

/**
 * The notes as MCP tools, for one caller: a server is built per request (the endpoint is
 * stateless), so every tool sees the principal of the token that request carried.
 */
export function notesMcpServer(principal: OidcPrincipal, notes: NotesService): McpServer {
  const server = new McpServer({ name: 'notes', version: '1.0.0' });
  server.registerTool(
    'whoami',
    {
      description: 'Who the token was issued to: subject, client and scopes.',
      outputSchema: {
        subject: z.string(),
        clientId: z.string().optional(),
        scopes: z.array(z.string()),
      },
    },
    () =>
      json({
        subject: principal.subject,
        clientId: principal.clientId,
        scopes: [...principal.scopes],
      }),
  );
  server.registerTool(
    'list_notes',
    {
      description: 'Every note.',
      outputSchema: {
        notes: z.array(z.object({ id: z.number(), text: z.string(), author: z.string() })),
      },
    },
    () => allowed(principal, 'list_notes') ?? json({ notes: notes.list() }),
  );
  server.registerTool(
    'add_note',
    {
      description: 'Adds a note written by the caller.',
      inputSchema: { text: z.string().trim().min(1).max(1000) },
      outputSchema: { id: z.number(), text: z.string(), author: z.string() },
    },
    ({ text }) => allowed(principal, 'add_note') ?? json(notes.create(text, principal.subject)),
  );
  return server;
}
