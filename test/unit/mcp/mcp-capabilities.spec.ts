import { McpCapabilities, uriTemplateMatcher } from '../../../lib/mcp/mcp-capabilities.js';
import { mcpRequirementPolicy } from '../../../lib/mcp/mcp-requirement.js';

const policy = (scopes?: string[], anyScope?: string[]) =>
  mcpRequirementPolicy('test', { scopes, anyScope });

describe('McpCapabilities', () => {
  const capabilities = new McpCapabilities();
  capabilities.add({ kind: 'tool', name: 'list_notes', policy: policy(['notes:read']) });
  capabilities.add({
    kind: 'tool',
    name: 'add_note',
    policy: policy(['notes:write'], ['notes:admin', 'notes:owner']),
  });
  capabilities.add({ kind: 'prompt', name: 'add_note', policy: policy(['prompts:use']) });
  capabilities.add({ kind: 'resource', name: 'notes://index', policy: policy(['notes:read']) });
  capabilities.add({
    kind: 'resource',
    name: 'notes://{id}',
    policy: policy(['notes:read', 'notes:history']),
    matches: uriTemplateMatcher('notes://{id}'),
  });
  capabilities.add({
    kind: 'tool',
    name: 'open',
    policy: { ...policy(['never:asked']), isPublic: true },
  });

  it('finds the capability of a call by kind and name, a resource by its URI or template', () => {
    const of = (kind: 'tool' | 'resource' | 'prompt', name: string) =>
      capabilities.of({ method: 'x', kind, name })?.policy.scopes;
    expect(of('tool', 'add_note')).toEqual([['notes:write'], ['notes:admin', 'notes:owner']]);
    expect(of('prompt', 'add_note')).toEqual([['prompts:use']]);
    expect(of('resource', 'notes://index')).toEqual([['notes:read']]);
    expect(of('resource', 'notes://7')).toEqual([['notes:read'], ['notes:history']]);
    expect(of('resource', 'notes://7/8')).toBeUndefined();
    expect(of('tool', 'unknown')).toBeUndefined();
    expect(of('tool', 'notes://index')).toBeUndefined();
    expect(capabilities.of({ method: 'tools/list' })).toBeUndefined();
  });

  it('lists its tools, and the scopes a client asks for (the first of each any-of group)', () => {
    expect(capabilities.tools.map((tool) => tool.name)).toEqual(['list_notes', 'add_note', 'open']);
    expect(capabilities.scopes).toEqual([
      'notes:read',
      'notes:write',
      'notes:admin',
      'prompts:use',
      'notes:history',
    ]);
  });
});

describe('uriTemplateMatcher', () => {
  it('matches one segment per expression, the rest literally', () => {
    const matches = uriTemplateMatcher('file:///notes/{folder}/{id}.txt');
    expect(matches('file:///notes/work/1.txt')).toBe(true);
    expect(matches('file:///notes/work/1.json')).toBe(false);
    expect(matches('file:///notes/work/deep/1.txt')).toBe(false);
    expect(matches('file:///notes//1.txt')).toBe(false);
    expect(uriTemplateMatcher('a.b://{x}')('aXb://1')).toBe(false);
  });
});
