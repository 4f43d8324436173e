import { type ClaimMapper, listClaim, stringClaim } from '../core/claims/claims.js';
import { type IssuerOptions } from '../core/issuers/issuer-options.js';

/**
 * Amazon Cognito access tokens: `scope` string, groups in `cognito:groups`, the app client in
 * `client_id` (they have no `aud`). Client-credentials tokens have the client id as `sub`.
 */
export const cognitoClaims: ClaimMapper = (claims) => {
  const clientId = stringClaim(claims, 'client_id');
  return {
    scopes: listClaim(claims.scope),
    roles: listClaim(claims['cognito:groups']),
    clientId,
    isAppOnly: clientId !== undefined && claims.sub === clientId,
  };
};

export interface CognitoOptions {
  /** The AWS region of the user pool, e.g. `eu-west-1`. */
  region: string;
  /** The user pool id, e.g. `eu-west-1_AbCdEf123`. */
  userPoolId: string;
  /** App client id(s) whose access tokens are accepted. */
  clientId: string | readonly string[];
  /** Read the user pool's discovery document from another address (a proxy, a test server). */
  discoveryUri?: string;
  /** Read the user pool's keys from this JWK set URL instead of through discovery. */
  jwksUri?: string;
}

export function cognito(options: CognitoOptions): IssuerOptions {
  return {
    issuer: `https://cognito-idp.${options.region}.amazonaws.com/${options.userPoolId}`,
    discoveryUri: options.discoveryUri,
    jwksUri: options.jwksUri,
    audience: options.clientId,
    audienceClaim: 'client_id',
    claimMapper: cognitoClaims,
    // ID tokens of the same pool verify with the same keys; only access tokens may call the API.
    validateClaims: (claims) =>
      claims.token_use === 'access' ? undefined : 'The token must be a Cognito access token',
  };
}
