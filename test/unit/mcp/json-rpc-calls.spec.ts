import { mcpCalls } from '../../../lib/mcp/json-rpc-calls.js';

const call = (method: string, params?: unknown, id: number | undefined = 1) => ({
  jsonrpc: '2.0',
  ...(id === undefined ? {} : { id }),
  method,
  ...(params === undefined ? {} : { params }),
});

describe('mcpCalls', () => {
  it('names the capability of tools/call, resources/read and prompts/get, and sees tools/list', () => {
    expect(mcpCalls(call('tools/call', { name: 'add_note', arguments: { text: 'x' } }))).toEqual([
      { method: 'tools/call', kind: 'tool', name: 'add_note' },
    ]);
    expect(mcpCalls(call('resources/read', { uri: 'notes://1' }))).toEqual([
      { method: 'resources/read', kind: 'resource', name: 'notes://1' },
    ]);
    expect(mcpCalls(call('prompts/get', { name: 'summarize' }))).toEqual([
      { method: 'prompts/get', kind: 'prompt', name: 'summarize' },
    ]);
    expect(mcpCalls(call('tools/list'))).toEqual([{ method: 'tools/list' }]);
  });

  it('reads every message of a batch, notifications as strictly as requests', () => {
    expect(
      mcpCalls([
        call('initialize', {}),
        call('tools/call', { name: 'a' }),
        call('tools/call', { name: 'b' }, undefined),
        call('notifications/initialized', undefined, undefined),
      ]).map((c) => c.name),
    ).toEqual(['a', 'b']);
  });

  it('finds no call in what runs no capability', () => {
    for (const body of [
      undefined,
      null,
      'tools/call',
      42,
      {},
      [],
      [null, 1, 'x'],
      call('initialize', {}),
      call('resources/list'),
      // A response, not a request.
      { jsonrpc: '2.0', id: 1, result: { name: 'add_note' } },
      // Without a usable name the server answers invalid params itself.
      call('tools/call'),
      call('tools/call', { name: 42 }),
      call('tools/call', 'add_note'),
      call('resources/read', { name: 'notes://1' }),
      // Inherited property names are not methods.
      call('constructor', { name: 'x' }),
      call('__proto__', { name: 'x' }),
      call('toString', { name: 'x' }),
    ]) {
      expect(mcpCalls(body)).toEqual([]);
    }
  });
});
