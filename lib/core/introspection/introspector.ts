import type { JwtClaims } from '../claims/claims.js';

/**
 * What the authorization server said of a token. For an active one, the RFC 7662 §2.2 members as
 * the server named them (`scope`, `client_id`, `sub`, `username`, `exp`, `iat`, `nbf`, `aud`, `iss`,
 * `token_type`, `cnf` ...): they are then checked and mapped exactly as a JWT's claims are.
 */
export type IntrospectionResult = { active: false } | { active: true; claims: JwtClaims };

/**
 * Asks an authorization server about an opaque token. The RFC 7662 request is one; adapters over
 * other endpoints (Google's token-info) are others. An introspector that cannot tell (endpoint
 * down, hanging, garbled answer, our own credentials refused) throws `IntrospectionUnavailableError`:
 * the request is then answered 503, never 401, since the token may well be good.
 *
 * The token never goes into a URL, an error message or a log line.
 */
export interface Introspector {
  introspect(token: string): Promise<IntrospectionResult>;
  /** Called once at startup (the module's warm-up): finds what the first token would need. */
  prepare?(): Promise<void>;
}
