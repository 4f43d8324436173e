import { OidcPrincipal } from '../core/claims/principal.js';
import type { Authentication } from '../nest/transports/transport.js';

/**
 * The caller as the MCP SDKs carry it to handlers (`extra.authInfo`, `ctx.http.authInfo`): their
 * `AuthInfo`, with the principal in `extra.principal`.
 */
export interface McpAuthInfo {
  token: string;
  /** The token's client, else its subject: the SDKs require one. */
  clientId: string;
  scopes: string[];
  /** Seconds since the epoch. */
  expiresAt?: number;
  /** The MCP endpoint's resource (RFC 8707), which the token was checked to be meant for. */
  resource?: URL;
  extra: { principal: OidcPrincipal };
}

export function mcpAuthInfo(authentication: Authentication, resource?: string): McpAuthInfo {
  const { principal, token } = authentication;
  const expires = principal.expiresAt.getTime();
  return {
    token,
    clientId: principal.clientId ?? principal.subject,
    scopes: [...principal.scopes],
    ...(Number.isNaN(expires) ? {} : { expiresAt: Math.floor(expires / 1000) }),
    ...(resource === undefined ? {} : { resource: new URL(resource) }),
    extra: { principal },
  };
}

// The tools hidden from one caller's `tools/list`, by the AuthInfo object the SDKs pass through.
const hiddenTools = new WeakMap<object, ReadonlySet<string>>();

export function hideTools(authInfo: McpAuthInfo, names: ReadonlySet<string>): void {
  hiddenTools.set(authInfo, names);
}

export function toolsHiddenFrom(authInfo: unknown): ReadonlySet<string> | undefined {
  return typeof authInfo === 'object' && authInfo !== null ? hiddenTools.get(authInfo) : undefined;
}

type AuthInfoCarrier = {
  authInfo?: { extra?: { principal?: unknown } };
  http?: { authInfo?: { extra?: { principal?: unknown } } };
};

/**
 * The caller of an MCP handler: from the official SDK's `extra` (1.x: `extra.authInfo`) or the
 * context of `@modelcontextprotocol/server` 2.x (`ctx.http.authInfo`). Undefined when the request
 * did not come through an `@McpEndpoint()` route.
 */
export function mcpPrincipal(extra: unknown): OidcPrincipal | undefined {
  const carrier = extra as AuthInfoCarrier | undefined;
  const principal = (carrier?.authInfo ?? carrier?.http?.authInfo)?.extra?.principal;
  return principal instanceof OidcPrincipal ? principal : undefined;
}
