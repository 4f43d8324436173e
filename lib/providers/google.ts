import { type ClaimMapper, stringClaim } from '../verification/claims.js';
import { type IssuerOptions } from '../verification/issuer-options.js';

/**
 * Google: its OAuth access tokens are opaque, so APIs verify Google-signed ID tokens instead (Cloud
 * Run/IAP service-to-service calls, Sign-In with Google). They carry no scopes or roles; a service
 * account's token is app-only.
 */
export const googleClaims: ClaimMapper = (claims) => ({
  scopes: [],
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
}

export function google(options: GoogleOptions): IssuerOptions {
  const domains = options.hostedDomains;
  return {
    issuer: 'https://accounts.google.com',
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
  };
}
