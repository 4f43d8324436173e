import { type Algorithm } from '../jose/algorithms.js';
import { type ClaimMapper, type JwtClaims } from '../claims/claims.js';
import type { IntrospectionOptions } from '../introspection/introspection-options.js';

/** One identity provider the API trusts. Presets in `providers/` build these from what users know. */
export interface IssuerOptions {
  /**
   * The exact `iss` of its tokens. Microsoft Entra multi-tenant issuers use the literal
   * `{tenantid}` placeholder, which is then replaced by the token's `tid` (see `allowedTenants`).
   */
  issuer: string;
  /**
   * Other exact `iss` values of the same provider, checked and keyed like `issuer` (Google signs
   * tokens as `https://accounts.google.com` and as `accounts.google.com`). They share its key set,
   * which is never looked up under an alias. RFC 7519: any string, but a URI if it has a colon.
   */
  issuerAliases?: readonly string[];
  /** Tenants accepted for a `{tenantid}` issuer; `['*']` accepts any tenant. Required for templates. */
  allowedTenants?: readonly string[];
  /** Where to read the discovery document when it is not `${issuer}/.well-known/openid-configuration`. */
  discoveryUri?: string;
  /** Skips discovery and reads keys from this JWK set URL. */
  jwksUri?: string;
  /** A fixed key set, for offline use; nothing is fetched. */
  jwks?: {
    /** The public keys, as JWKs (RFC 7517). */
    keys: readonly object[];
  };
  /** A shared secret for HS256/384/512 tokens. Tokens of this issuer must then be HMAC-signed. */
  secret?: string | Buffer;
  /** Accepted audiences. Required: `false` turns the check off, explicitly. */
  audience: string | readonly string[] | false;
  /** The claim holding the audience; Cognito access tokens carry `client_id` instead of `aud`. */
  audienceClaim?: string;
  /** Allowed signature algorithms. Default: every asymmetric one (RS, PS, ES). */
  algorithms?: readonly Algorithm[];
  /** Reads scopes, roles, client and tenant from this provider's tokens. Default: `standardClaims` (RFC 9068). */
  claimMapper?: ClaimMapper;
  /** Expected JOSE `typ` header, e.g. `at+jwt` (RFC 9068), to refuse ID tokens posing as access tokens. */
  typ?: string;
  /** Claims every token must carry. `exp` and `sub` always are required. */
  requiredClaims?: readonly string[];
  /** A provider-specific rule over the verified claims; returns why the token is refused, if it is. */
  validateClaims?: (claims: JwtClaims) => string | undefined;
  /**
   * Opaque (reference) access tokens of this issuer are asked about at its RFC 7662 introspection
   * endpoint. The answer is checked like a JWT's claims (issuer, audience, expiry, token type) and
   * makes the same `OidcPrincipal`. Off unless set.
   */
  introspection?: IntrospectionOptions;
}

/** Tuning shared by all issuers' key sets. */
export interface KeySetTuning {
  /** Least time between two key-set fetches for one issuer (ms). Default 5000. */
  cooldownMs?: number;
  /** Age after which keys are refreshed in the background (ms). Default 10 minutes. */
  maxAgeMs?: number;
  /**
   * Longest a request waits for a key-set fetch (ms) before it is answered 503 with Retry-After;
   * the fetch goes on in the background. Default 1000.
   */
  maxWaitMs?: number;
  /** Timeout of one discovery or key-set request (ms). Default 5000. */
  timeoutMs?: number;
  /** Largest discovery or key-set document accepted (bytes). Default 512 KiB. */
  maxBytes?: number;
}
