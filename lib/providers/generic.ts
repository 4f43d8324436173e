import { type ClaimMapper } from '../core/claims/claims.js';
import { type IssuerOptions } from '../core/issuers/issuer-options.js';
import { standardClaims } from '../core/claims/standard-claims.js';

/** Any OIDC issuer's tokens, read per RFC 9068: the core's `standardClaims`. */
export const genericClaims: ClaimMapper = standardClaims;

export interface OidcPresetOptions {
  /** The issuer identifier (`iss`); discovery is read under it. */
  issuer: string;
  /** Accepted audiences. */
  audience: string | readonly string[];
  /** Refuse tokens whose `typ` is not `at+jwt` (RFC 9068), e.g. ID tokens of the same issuer. */
  requireAccessTokenType?: boolean;
}

/** A standards-following OIDC issuer, keys from its discovery document. */
export function oidc(options: OidcPresetOptions): IssuerOptions {
  return {
    issuer: options.issuer,
    audience: options.audience,
    claimMapper: genericClaims,
    typ: options.requireAccessTokenType ? 'at+jwt' : undefined,
  };
}
