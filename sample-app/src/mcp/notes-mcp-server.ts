import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { authorizedFetch } from '../../../lib/index.js';
import { mcpPrincipal, registerTool } from '../../../lib/mcp/index.js';
import type { DownstreamSettings } from '../downstream/downstream.controller.js';
import type { NotesService } from '../notes/notes.service.js';

const json = (value: object): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(value) }],
  structuredContent: value as Record<string, unknown>,
});

const failed = (text: string): CallToolResult => ({
  isError: true,
  content: [{ type: 'text', text }],
});

const NOTE = { id: z.number(), text: z.string(), author: z.string() };

/**
 * The notes as MCP tools. Each tool's `requires` is checked by `@McpEndpoint()` before the tool
 * runs: a token without the scope gets 403 with `scope` naming it, and the client re-authorizes
 * (step-up). The handlers find the caller in `extra`: always there, as the endpoint takes no call
 * without a valid token. `downstream`: the audit API, when the sample runs one.
 */
export function notesMcpServer(notes: NotesService, downstream?: DownstreamSettings): McpServer {
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
  registerTool(
    server,
    'audit_whoami',
    {
      description:
        "Asks the audit API who is calling it, on behalf of the caller. The server gets a token of its own for the audit API by token exchange (RFC 8693): the caller's token is for this server only and never leaves it.",
      requires: { scopes: ['notes:read'] },
    },
    async (extra) => {
      if (!downstream) return failed('No audit API here: it runs beside the embedded provider');
      const onBehalfOf = extra.authInfo!.token;
      try {
        const res = await authorizedFetch(downstream.client, {
          onBehalfOf,
          resource: downstream.audience,
          scopes: ['audit:read'],
        })(`${downstream.url}/audit/whoami`);
        if (!res.ok) return failed(`The audit API answered ${res.status}`);
        return json((await res.json()) as object);
      } catch (err) {
        return failed(`The audit API could not be called: ${(err as Error).message}`);
      }
    },
  );
  return server;
}
