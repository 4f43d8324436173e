import type { Authentication } from './transport.js';

/**
 * Authentications of calls and connections, keyed by the object that lives exactly as long as they
 * do (an RPC call's context, a socket). Weak, so nothing outlives its connection.
 */
const authentications = new WeakMap<object, Authentication>();

export function bindAuthentication(carrier: object, authentication: Authentication): void {
  authentications.set(carrier, authentication);
}

export function authenticationOf(carrier: unknown): Authentication | undefined {
  return typeof carrier === 'object' && carrier !== null ? authentications.get(carrier) : undefined;
}
