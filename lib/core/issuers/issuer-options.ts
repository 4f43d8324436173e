import type { KeyObject } from 'node:crypto';
import { type Algorithm } from '../jose/algorithms.js';
import { type ClaimMapper, type JwtClaims } from '../claims/claims.js';
import type { Introspector } from '../introspection/introspector.js';

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
  jwks?: { keys: readonly object[] };
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

/** How this API authenticates itself to the introspection endpoint, and what it asks for. */
export interface IntrospectionOptions {
  /** This API's client id at the authorization server. Required unless `introspector` is given. */
  clientId?: string;
  /** The client secret: `client_secret_basic` unless `clientAuthentication` says `client_secret_post`. */
  clientSecret?: string;
  /** private_key_jwt (RFC 7523): a signed assertion, valid one minute, instead of a secret. */
  clientAssertion?: {
    privateKey: KeyObject | string;
    /** Default: RS256 for RSA keys, ES256/384/512 for EC keys by their curve. */
    algorithm?: Algorithm;
    kid?: string;
    /** The assertion's `aud`. Default: the issuer identifier (some servers want the endpoint URL). */
    audience?: string;
  };
  /**
   * Default: `client_secret_basic` with `clientSecret`, `private_key_jwt` with `clientAssertion`.
   * `none` sends only `client_id` (servers that let public clients introspect, or a network
   * boundary instead of credentials): it must be said explicitly.
   */
  clientAuthentication?: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
  /** Skips discovery: the introspection endpoint. Default: the metadata's `introspection_endpoint`. */
  endpoint?: string;
  /**
   * RFC 9701: ask for a signed JWT response (`Accept: application/token-introspection+jwt`) and
   * accept nothing else; it is verified with the issuer's key set. Default false.
   */
  signedResponse?: boolean;
  /** Also introspect JWTs after their local verification, so revoked ones are refused. Default false. */
  introspectJwts?: boolean;
  /**
   * Only opaque tokens starting with one of these go to this issuer (e.g. `ory_at_`, `ya29.`):
   * with several introspecting issuers, a token then reaches only its own issuer.
   */
  tokenPrefixes?: readonly string[];
  /** Longest wait for the endpoint (ms) before the request is answered 503. Default 3000. */
  timeoutMs?: number;
  /** Largest response accepted (bytes). Default 64 KiB. */
  maxBytes?: number;
  /** How long an active result is reused (ms), never beyond the token's `exp`. Default 60000. */
  maxAgeMs?: number;
  /** How long an inactive result is reused (ms). Default 10000. */
  inactiveMaxAgeMs?: number;
  /**
   * Another way to ask, instead of the RFC 7662 request (e.g. an adapter over Google's token-info
   * endpoint). Its answer is checked and cached like an RFC 7662 one.
   */
  introspector?: Introspector;
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
