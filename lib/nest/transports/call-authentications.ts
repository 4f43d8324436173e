import type { Authentication } from './transport.js';

// A symbol-keyed property rather than a WeakMap: one entry per HTTP request would make every
// minor garbage collection walk a large ephemeron table.
const AUTHENTICATION = Symbol('nest-oidc-auth.authentication');

type Carrier = { [AUTHENTICATION]?: Authentication };

/**
 * Ties an authentication to the object that lives exactly as long as it does: the HTTP request, an
 * RPC call's context, a socket. Nothing outlives its connection.
 */
export function bindAuthentication(carrier: object, authentication: Authentication): void {
  (carrier as Carrier)[AUTHENTICATION] = authentication;
}

export function authenticationOf(carrier: unknown): Authentication | undefined {
  return typeof carrier === 'object' && carrier !== null
    ? (carrier as Carrier)[AUTHENTICATION]
    : undefined;
}
