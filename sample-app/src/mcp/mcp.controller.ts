import { Controller, Delete, Get, HttpCode, Header, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Request, Response } from 'express';
import { type OidcPrincipal, Principal, ProtectedResource } from '../../../lib/index.js';
import { NotesService } from '../notes/notes.service.js';
import { notesMcpServer } from './notes-mcp-server.js';

/** The resource name of the MCP endpoint in the module's `protectedResources`. */
export const MCP_RESOURCE = 'mcp';

/**
 * The notes' MCP server (Streamable HTTP, stateless: every POST carries its own JSON-RPC
 * messages and gets its answer as JSON). It is a resource of its own: only tokens issued for the
 * MCP resource URI open it, and its 401 points at its own metadata.
 */
@ApiExcludeController()
@ProtectedResource(MCP_RESOURCE)
@Controller('mcp')
export class McpController {
  constructor(private readonly notes: NotesService) {}

  @Post()
  async post(
    @Req() req: Request,
    @Res() res: Response,
    @Principal() principal: OidcPrincipal,
  ): Promise<void> {
    const server = notesMcpServer(principal, this.notes);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    res.once('close', () => void server.close());
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  }

  // No session, so no stream for server-initiated messages to open or session to end.
  @Get()
  @Delete()
  @HttpCode(405)
  @Header('allow', 'POST')
  unsupported(): { error: string } {
    return { error: 'This MCP endpoint is stateless: POST only' };
  }
}
