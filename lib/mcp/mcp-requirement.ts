import {
  type AuthenticationRequirement,
  authenticationRequirement,
} from '../nest/policy/authentication-requirement.js';
import { type RoutePolicy } from '../nest/policy/route-policy.js';

/**
 * What a caller needs to use one tool, resource or prompt of an MCP server built with the official
 * SDK: the route decorators' vocabulary, as an object. Every field that is set must be met.
 */
export interface McpRequirement {
  /** Every one of these scopes, as `@Scopes()`. */
  scopes?: readonly string[];
  /** At least one of these scopes, as `@AnyScope()`. */
  anyScope?: readonly string[];
  /** Every one of these roles, as `@Roles()`. */
  roles?: readonly string[];
  /** At least one of these roles, as `@AnyRole()`. */
  anyRole?: readonly string[];
  /** Every one of these named policies grants the call, as `@Policy()`. */
  policies?: readonly string[];
  /** At least one of these named policies grants the call, as `@AnyPolicy()`. */
  anyPolicy?: readonly string[];
  /** A strong or recent enough sign-in (RFC 9470 step-up), as `@RequireAuthentication()`. */
  authentication?: AuthenticationRequirement;
}

// Items are matched exactly, so one holding a space could never match a space-separated claim.
function list(where: string, values: unknown): string[] {
  if (
    !Array.isArray(values) ||
    values.length === 0 ||
    values.some((value) => typeof value !== 'string' || value === '' || /\s/.test(value))
  ) {
    throw new TypeError(
      `${where} must be a non-empty list of non-empty strings without spaces, got ${JSON.stringify(values)}`,
    );
  }
  return [...(values as string[])];
}

const groups = (
  where: string,
  requirement: McpRequirement,
  all: 'scopes' | 'roles' | 'policies',
  any: 'anyScope' | 'anyRole' | 'anyPolicy',
): string[][] => [
  ...(requirement[all] === undefined
    ? []
    : list(`${where}: requires.${all}`, requirement[all]).map((value) => [value])),
  ...(requirement[any] === undefined ? [] : [list(`${where}: requires.${any}`, requirement[any])]),
];

/**
 * A requirement as a route policy, which the module evaluates as it does a route's, checked where it is declared: a malformed one (an empty list, a scope
 * with a space) throws a `TypeError` at registration instead of refusing every call later.
 */
export function mcpRequirementPolicy(
  where: string,
  requirement: McpRequirement | undefined,
): RoutePolicy {
  if (requirement === undefined) return { isPublic: false, scopes: [], roles: [] };
  if (typeof requirement !== 'object' || requirement === null) {
    throw new TypeError(`${where}: requires must be an object`);
  }
  const policies = groups(where, requirement, 'policies', 'anyPolicy');
  return {
    isPublic: false,
    scopes: groups(where, requirement, 'scopes', 'anyScope'),
    roles: groups(where, requirement, 'roles', 'anyRole'),
    policies: policies.length > 0 ? policies : undefined,
    authentication:
      requirement.authentication && authenticationRequirement(requirement.authentication),
  };
}
