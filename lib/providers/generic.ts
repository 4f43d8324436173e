import { type ClaimMapper, listClaim, stringClaim } from '../verification/claims.js';
import { type IssuerOptions } from '../verification/issuer-options.js';

/**
 * Any OIDC issuer: scopes from `scope` (RFC 9068) or `scp`, roles from `roles`, the client from
 * `client_id`/`azp`. A token is app-only when its subject is the client itself (RFC 9068 §2.2 for
 * client-credentials tokens).
 */
export const genericClaims: ClaimMapper = (claims) => {
  const clientId = stringClaim(claims, 'client_id') ?? stringClaim(claims, 'azp');
  return {
    scopes: [...listClaim(claims.scope), ...listClaim(claims.scp)],
    roles: listClaim(claims.roles),
    clientId,
    tenantId: stringClaim(claims, 'tid'),
    isAppOnly: clientId !== undefined && claims.sub === clientId,
  };
};

export interface OidcPresetOptions {
  issuer: string;
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
