/**
 * A local identity provider and token helpers for testing an application that uses the module.
 *
 * @module nest-oidc-auth/testing
 */
export { LocalIssuer } from './local-issuer.js';
export type { IssuerFault, MintOptions } from './local-issuer.js';
export {
  providerClaims,
  providerIssuerOptions,
  TEST_AUTH0_ROLES_CLAIM,
  TEST_KEYCLOAK_CLIENT,
} from './provider-tokens.js';
export type { ProviderShape, TokenSubject } from './provider-tokens.js';
export { useLocalIssuer } from './use-local-issuer.js';
export { certificateThumbprint } from '../protocol/mtls/client-certificate.js';
export { DpopBoundToken, dpopProof } from './dpop-bound-token.js';
export type { TestDpopProofOptions } from './dpop-bound-token.js';
