import { mcpRequirementPolicy } from '../../../lib/mcp/mcp-requirement.js';

describe('mcpRequirementPolicy', () => {
  it('reads a requirement as the route decorators would have it', () => {
    expect(
      mcpRequirementPolicy('tool t', {
        scopes: ['notes:read', 'notes:write'],
        anyScope: ['notes:admin', 'notes:owner'],
        roles: ['editor'],
        anyRole: ['a', 'b'],
        policies: ['sameTenant'],
        anyPolicy: ['p', 'q'],
        authentication: { acr: ['mfa'], maxAgeSeconds: 300 },
      }),
    ).toEqual({
      isPublic: false,
      scopes: [['notes:read'], ['notes:write'], ['notes:admin', 'notes:owner']],
      roles: [['editor'], ['a', 'b']],
      policies: [['sameTenant'], ['p', 'q']],
      authentication: { acr: ['mfa'], maxAgeSeconds: 300 },
    });
  });

  it('requires nothing beyond the endpoint without a requirement', () => {
    expect(mcpRequirementPolicy('tool t', undefined)).toEqual({
      isPublic: false,
      scopes: [],
      roles: [],
    });
    expect(mcpRequirementPolicy('tool t', {})).toEqual({
      isPublic: false,
      scopes: [],
      roles: [],
      policies: undefined,
      authentication: undefined,
    });
  });

  it('throws where a malformed requirement is declared, naming it', () => {
    const bad: [unknown, string][] = [
      [{ scopes: [] }, 'tool t: requires.scopes must be a non-empty list'],
      [{ scopes: ['notes read'] }, 'tool t: requires.scopes must be a non-empty list'],
      [{ scopes: 'notes:read' }, 'tool t: requires.scopes must be a non-empty list'],
      [{ anyRole: [''] }, 'tool t: requires.anyRole must be a non-empty list'],
      [{ policies: [42] }, 'tool t: requires.policies must be a non-empty list'],
      [{ authentication: {} }, '@RequireAuthentication() needs acr values'],
      ['notes:read', 'tool t: requires must be an object'],
    ];
    for (const [requirement, message] of bad) {
      expect(() => mcpRequirementPolicy('tool t', requirement as never)).toThrow(message);
    }
  });
});
