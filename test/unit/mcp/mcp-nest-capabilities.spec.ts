import { jest } from '@jest/globals';
import * as microservices from '@nestjs/microservices';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { Roles, Scopes } from '../../../lib/index.js';
import { mcpNestCapabilities } from '../../../lib/mcp/mcp-nest-capabilities.js';
import { RoutePolicyReader } from '../../../lib/nest/policy/route-policy.js';
import { shareNestWithCommonJsPeers } from '../../support/cjs-nest-peers.js';

// @rekog/mcp-nest is CommonJS and require()s Nest, microservices included.
shareNestWithCommonJsPeers();
jest.mock('@nestjs/microservices', () => microservices);
const { McpController, Prompt, Resource, ResourceTemplate, Tool } = await import('@rekog/mcp-nest');

@McpController()
class NotesTools {
  @Scopes('notes:read')
  @Tool({ name: 'list_notes', description: 'Lists notes' })
  list() {}

  // Named after the method without a name.
  @Roles('admin')
  @Tool({ description: 'Deletes every note' })
  purge() {}

  @Scopes('notes:read')
  @Resource({ name: 'index', uri: 'notes://index' })
  index() {}

  @Scopes('notes:history')
  @ResourceTemplate({ name: 'note', uriTemplate: 'notes://{id}' })
  note() {}

  @Scopes('notes:admin')
  @Prompt({ name: 'summarize', description: 'Summarize' })
  summarize() {}
}

@McpController({ server: 'reports' })
class ReportTools {
  @Scopes('reports:read')
  @Tool({ name: 'report', description: 'A report' })
  report() {}
}

class NotAnMcpController {
  @Scopes('other')
  @Tool({ name: 'stray', description: 'Not in an @McpController' })
  stray() {}
}

const modules = {
  values: () => [
    {
      controllers: new Map(
        [NotesTools, ReportTools, NotAnMcpController].map((type) => [type, { metatype: type }]),
      ),
    },
  ],
} as unknown as ModulesContainer;
const reader = new RoutePolicyReader(new Reflector());

describe('mcpNestCapabilities', () => {
  it('reads the tools, resources and prompts of one server, each with its method’s policy', () => {
    const notes = mcpNestCapabilities(modules, reader, undefined);
    expect(notes.all.map(({ kind, name, method }) => [kind, name, method])).toEqual([
      ['tool', 'list_notes', 'NotesTools.list'],
      ['tool', 'purge', 'NotesTools.purge'],
      ['resource', 'notes://index', 'NotesTools.index'],
      ['prompt', 'summarize', 'NotesTools.summarize'],
      ['resource', 'notes://{id}', 'NotesTools.note'],
    ]);
    expect(notes.of({ method: 'tools/call', kind: 'tool', name: 'purge' })?.policy.roles).toEqual([
      ['admin'],
    ]);
    expect(
      notes.of({ method: 'resources/read', kind: 'resource', name: 'notes://7' })?.policy.scopes,
    ).toEqual([['notes:history']]);
    expect(notes.scopes).toEqual(['notes:read', 'notes:admin', 'notes:history']);
  });

  it('keeps the servers apart by name', () => {
    const reports = mcpNestCapabilities(modules, reader, 'reports');
    expect(reports.all.map(({ name }) => name)).toEqual(['report']);
    expect(mcpNestCapabilities(modules, reader, 'nowhere').all).toEqual([]);
  });
});
