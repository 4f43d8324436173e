import { type JwtClaims, listClaim } from '../core/claims/claims.js';

/**
 * Microsoft Entra ID: the capabilities the client declared when it asked for the token, in the
 * optional claim `xms_cc` (an array). `cp1` says it handles Continuous Access Evaluation claims
 * challenges: a revoked token is then answered with one, which MSAL resolves by itself.
 */
export function entraClientCapabilities(claims: JwtClaims): readonly string[] {
  return listClaim(claims.xms_cc);
}
