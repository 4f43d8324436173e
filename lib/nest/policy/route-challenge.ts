import type { RouteResource } from '../resources/protected-resource-entry.js';

/** What a refusal of a route tells the client beyond the error: RFC 6750 `scope`, RFC 9728 metadata. */
export interface RouteChallenge {
  /** Space-separated scopes a token for this route needs (RFC 6750 §3). */
  scope?: string;
  /** The metadata document of the route's resource (RFC 9728 §5.1). */
  resourceMetadata?: string;
}

// RFC 6750 §3 scope-token: a scope with other characters cannot be written into a challenge, and a
// mangled one would send the client after a scope that does not exist. It is left out.
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * A challenge's `scope` is a set of scopes that together open the route, which a client asks for
 * as it is (RFC 6750 §3). It cannot say "one of": an `@AnyScope` group contributes its first
 * alternative, the one written first being the one the application prefers clients to ask for.
 * A route that requires no scope names its resource's `scopes`, else the scopes its handlers check
 * themselves (an MCP endpoint's tools), read when a refusal is answered: those are added at startup.
 */
export function routeChallenge(
  scopes: readonly (readonly string[])[],
  resource: RouteResource | undefined,
): RouteChallenge {
  const resourceMetadata = resource?.metadataUrl;
  if (scopes.length > 0)
    return { scope: challengeScope(scopes.map((group) => group[0])), resourceMetadata };
  return {
    get scope() {
      return challengeScope(resource?.options?.scopes ?? resource?.checkedScopes ?? []);
    },
    resourceMetadata,
  };
}

function challengeScope(scopes: readonly string[]): string | undefined {
  const named = scopes.filter((scope) => SCOPE_TOKEN.test(scope));
  return named.length > 0 ? [...new Set(named)].join(' ') : undefined;
}
