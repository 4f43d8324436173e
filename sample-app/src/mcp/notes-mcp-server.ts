import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { mcpPrincipal, registerTool } from '../../../lib/mcp/index.js';
import type { NotesService } from '../notes/notes.service.js';

const json = (value: object): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(value) }],
  structuredContent: value as Record<string, unknown>,
});

const NOTE = { id: z.number(), text: z.string(), author: z.string() };

/**
 * The notes as MCP tools. Each tool's `requires` is checked by `@McpEndpoint()` before the tool
 * runs: a token without the scope gets 403 with `scope` naming it, and the client re-authorizes
 * (step-up). The handlers find the caller in `extra`.
 */
export function notesMcpServer(notes: NotesService): McpServer {
  const server = new McpServer({ name: 'notes', version: '1.0.0' });
  registerTool(
    server,
    'whoami',
    {
      description: 'Who the token was issued to: subject, client and scopes.',
      outputSchema: {
        subject: z.string(),
        clientId: z.string().optional(),
        scopes: z.array(z.string()),
      },
    },
    (extra) => {
      const caller = mcpPrincipal(extra)!;
      return json({
        subject: caller.subject,
        clientId: caller.clientId,
        scopes: [...caller.scopes],
      });
    },
  );
  registerTool(
    server,
    'list_notes',
    {
      description: 'Every note.',
      outputSchema: { notes: z.array(z.object(NOTE)) },
      requires: { scopes: ['notes:read'] },
    },
    () => json({ notes: notes.list() }),
  );
  registerTool(
    server,
    'add_note',
    {
      description: 'Adds a note written by the caller.',
      inputSchema: { text: z.string().trim().min(1).max(1000) },
      outputSchema: NOTE,
      requires: { scopes: ['notes:write'] },
    },
    ({ text }, extra) => json(notes.create(text, mcpPrincipal(extra)!.subject)),
  );
  return server;
}
