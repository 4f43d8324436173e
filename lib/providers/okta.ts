import { type ClaimMapper, listClaim, stringClaim } from '../core/claims/claims.js';
import { type IssuerOptions } from '../core/issuers/issuer-options.js';

/**
 * Okta: scopes in `scp` as a JSON array, the client in `cid`; groups (when the authorization server
 * adds them) in `groups`. Client-credentials tokens have the client id as `sub`.
 */
export const oktaClaims: ClaimMapper = (claims) => {
  const clientId = stringClaim(claims, 'cid');
  return {
    scopes: listClaim(claims.scp),
    roles: listClaim(claims.groups),
    clientId,
    isAppOnly: clientId !== undefined && claims.sub === clientId,
  };
};

export interface OktaOptions {
  /** Okta domain, e.g. `dev-123.okta.com`. */
  domain: string;
  /** Authorization server id. Default `default`. */
  authorizationServerId?: string;
  /** Default `api://default`, the audience of Okta's default authorization server. */
  audience?: string | readonly string[];
}

export function okta(options: OktaOptions): IssuerOptions {
  const domain = options.domain.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  return {
    issuer: `https://${domain}/oauth2/${options.authorizationServerId ?? 'default'}`,
    audience: options.audience ?? 'api://default',
    claimMapper: oktaClaims,
  };
}
