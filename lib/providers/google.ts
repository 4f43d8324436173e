import { type ClaimMapper, listClaim, stringClaim } from '../core/claims/claims.js';
import type { IntrospectionOptions } from '../core/introspection/introspection-options.js';
import type { IssuerOptions } from '../core/issuers/issuer-options.js';
import { TokenInfoIntrospector } from '../core/opaque/token-info-introspector.js';
import { OidcAuthConfigError } from '../core/config/config-error.js';
import {
  GOOGLE_ISSUER,
  GOOGLE_TOKEN_INFO_ENDPOINT,
  googleTokenInfoResult,
} from './google-token-info.js';

/**
 * Google: APIs verify Google-signed ID tokens (Cloud Run/IAP service-to-service calls, Sign-In with
 * Google), which carry no scopes or roles, and, with `accessTokens`, Google's opaque access tokens
 * through token-info, whose `scope` lists what the user granted. A service account's token is
 * app-only.
 */
export const googleClaims: ClaimMapper = (claims) => ({
  scopes: listClaim(claims.scope),
  roles: [],
  clientId: stringClaim(claims, 'azp'),
  // Service accounts' tokens name the account itself as `azp` (its numeric id, like `sub`); the
  // email, which ends in gserviceaccount.com, is left out unless the caller asked for it.
  isAppOnly:
    (stringClaim(claims, 'azp') !== undefined && claims.azp === claims.sub) ||
    (stringClaim(claims, 'email')?.endsWith('.gserviceaccount.com') ?? false),
});

export interface GoogleOptions {
  /** The OAuth client id or the audience URL the caller requested the ID token for. */
  audience: string | readonly string[];
  /** Only accept these Workspace domains (`hd` claim). */
  hostedDomains?: readonly string[];
  /** Read Google's discovery document from another address (a proxy, a test server). */
  discoveryUri?: string;
  /** Read Google's keys from this JWK set URL instead of through discovery. */
  jwksUri?: string;
  /**
   * Also accept Google OAuth access tokens (`ya29.`), asking Google's token-info endpoint about
   * each (cached). Their `aud` is the OAuth client the user granted access to: `audience` must name
   * it. Off by default: every new token costs a call to Google.
   */
  accessTokens?: true | GoogleAccessTokenOptions;
}

export interface GoogleAccessTokenOptions {
  /** Ask another token-info address (a proxy, a test server). Default Google's. */
  tokenInfoEndpoint?: string;
  /** Longest wait for token-info (ms) before the request is answered 503. Default 3000. */
  timeoutMs?: number;
  /**
   * How long Google's answer is reused (ms), never beyond the token's `exp`. Default 60000: a token
   * revoked at Google is refused at most this long after.
   */
  maxAgeMs?: number;
}

function accessTokenIntrospection(options: true | GoogleAccessTokenOptions): IntrospectionOptions {
  const given = options === true ? {} : options;
  const endpoint = given.tokenInfoEndpoint ?? GOOGLE_TOKEN_INFO_ENDPOINT;
  if (!URL.canParse(endpoint)) {
    throw new OidcAuthConfigError(
      'google: accessTokens.tokenInfoEndpoint',
      'must be an absolute URL',
    );
  }
  const timeoutMs = given.timeoutMs;
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new OidcAuthConfigError(
      'google: accessTokens.timeoutMs',
      `must be a positive number, got ${JSON.stringify(timeoutMs)}`,
    );
  }
  return {
    introspector: new TokenInfoIntrospector({
      issuer: GOOGLE_ISSUER,
      endpoint,
      read: googleTokenInfoResult,
      timeoutMs,
    }),
    // Every Google OAuth access token starts so; anything else is not worth a call to Google.
    tokenPrefixes: ['ya29.'],
    ...(given.maxAgeMs !== undefined && { maxAgeMs: given.maxAgeMs }),
  };
}

export function google(options: GoogleOptions): IssuerOptions {
  const domains = options.hostedDomains;
  return {
    issuer: GOOGLE_ISSUER,
    // Google documents both forms as the `iss` of its ID tokens; one key set serves both.
    issuerAliases: ['accounts.google.com'],
    discoveryUri: options.discoveryUri,
    jwksUri: options.jwksUri,
    audience: options.audience,
    claimMapper: googleClaims,
    validateClaims: domains
      ? (claims) =>
          typeof claims.hd === 'string' && domains.includes(claims.hd)
            ? undefined
            : 'The token is not from an allowed Google Workspace domain'
      : undefined,
    ...(options.accessTokens && { introspection: accessTokenIntrospection(options.accessTokens) }),
  };
}
