import { routeChallenge } from '../../../../lib/nest/policy/route-challenge.js';
import { ProtectedResourceEntry } from '../../../../lib/nest/resources/protected-resource-entry.js';

const resource = (scopes?: string[]) =>
  new ProtectedResourceEntry(
    'mcp',
    'protectedResources.mcp',
    { resource: 'https://api.example/mcp', ...(scopes && { scopes }) },
    '/.well-known/oauth-protected-resource/mcp',
    new Set(['https://api.example/mcp']),
    new Set(),
  );

describe('routeChallenge', () => {
  it('names the route’s own scopes, first of each any-of group', () => {
    const entry = resource(['configured']);
    entry.addScopes(['checked']);
    expect(routeChallenge([['a'], ['b', 'c']], entry)).toEqual({
      scope: 'a b',
      resourceMetadata: 'https://api.example/.well-known/oauth-protected-resource/mcp',
    });
  });

  it('names the scopes the resource’s routes check themselves, as they are added at startup', () => {
    const entry = resource();
    const challenge = routeChallenge([], entry);
    expect(challenge.scope).toBeUndefined();
    entry.addScopes(['notes:read', 'notes:write']);
    entry.addScopes(['notes:read', 'bad scope', 'notes:admin']);
    expect(challenge.scope).toBe('notes:read notes:write notes:admin');
    expect(entry.checkedScopes).toEqual(['notes:read', 'notes:write', 'bad scope', 'notes:admin']);
  });

  it('prefers the scopes the resource configures to those its routes check', () => {
    const entry = resource(['tools:call']);
    entry.addScopes(['notes:read']);
    expect(routeChallenge([], entry).scope).toBe('tools:call');
  });
});
