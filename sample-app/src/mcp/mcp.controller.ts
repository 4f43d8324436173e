import { All, Controller, Inject, Optional, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ProtectedResource } from '../../../lib/index.js';
import { McpEndpoint, serveMcp } from '../../../lib/mcp/index.js';
import { DOWNSTREAM, type DownstreamSettings } from '../downstream/downstream.controller.js';
import { NotesService } from '../notes/notes.service.js';
import { notesMcpServer } from './notes-mcp-server.js';

/** The resource name of the MCP endpoint in the module's `protectedResources`. */
export const MCP_RESOURCE = 'mcp';

/**
 * The notes' MCP server (Streamable HTTP, stateless: every POST carries its own JSON-RPC
 * messages and gets its answer as JSON). It is a resource of its own: only tokens issued for the
 * MCP resource URI open it, and its challenges point at its own metadata.
 */
@ApiExcludeController()
@ProtectedResource(MCP_RESOURCE)
@Controller('mcp')
export class McpController {
  constructor(
    private readonly notes: NotesService,
    @Optional() @Inject(DOWNSTREAM) private readonly downstream?: DownstreamSettings,
  ) {}

  // The module reads the tools' requirements from a server built once at startup, which has every
  // tool; its notes and missing audit API are never used: the requests' servers have the app's.
  @McpEndpoint({ server: () => notesMcpServer(new NotesService()) })
  // POST carries the JSON-RPC messages; GET and DELETE get 405 from serveMcp (stateless: no
  // stream to open, no session to end).
  @All()
  async serve(@Req() req: Request, @Res() res: Response): Promise<void> {
    await serveMcp(notesMcpServer(this.notes, this.downstream), req, res);
  }
}
