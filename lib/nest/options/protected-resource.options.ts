/**
 * One protected resource of the application (RFC 9728): what it is called, which tokens open its
 * routes, and what its metadata document says.
 */
export interface ProtectedResourceOptions {
  /**
   * The resource identifier, an https URL (http on loopback for development): published as
   * `resource`, and what clients send as RFC 8707 `resource` when they ask for a token. Its
   * metadata is served at `/.well-known/oauth-protected-resource` followed by its path (§3.1).
   */
  resource: string;
  /**
   * The audiences (`aud`, or the issuer's `audienceClaim`) that open this resource's routes; a
   * token needs one of them, besides one its issuer accepts. Must include `resource`. Default: a
   * named resource takes `resource` alone; the root one every audience the issuers accept except
   * the named resources' (so a token for one of those never opens it).
   */
  audience?: string | readonly string[];
  /** Default: every trusted issuer that is not a multi-tenant template. */
  authorizationServers?: string[];
  /** A human-readable name of the resource, published as `resource_name` (RFC 9728 §2). */
  resourceName?: string;
  /**
   * Scopes a client may ask for to use this resource: added to `scopes_supported`, and named by
   * the challenges of its routes that require no scope themselves (an MCP endpoint, whose tools
   * check their own scopes).
   */
  scopes?: readonly string[];
}
