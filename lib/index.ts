export { OidcAuthModule } from './nest/oidc-auth.module.js';
export type { OidcAuthModuleOptions, OidcAuthModuleExtras } from './nest/oidc-auth.options.js';
export {
  OIDC_AUTH_GLOBAL_GUARD,
  OIDC_AUTH_OPTIONS,
  OIDC_AUTH_STORE,
} from './nest/oidc-auth.options.js';
export { OidcAuthGuard } from './nest/oidc-auth.guard.js';
export { OidcAuthStrategy, OIDC_AUTH_STRATEGY } from './nest/oidc-auth.strategy.js';
export { enforcePolicy } from './nest/route-policy.js';
export type { RoutePolicy } from './nest/route-policy.js';
export { Public } from './nest/decorators/public.decorator.js';
export { Scopes, AnyScope } from './nest/decorators/scopes.decorator.js';
export { Roles, AnyRole } from './nest/decorators/roles.decorator.js';
export { Policy, AnyPolicy } from './nest/decorators/policy.decorator.js';
export { AuthPolicy } from './nest/decorators/auth-policy.decorator.js';
export type { OidcPolicy, PolicyCheck } from './nest/decorators/auth-policy.decorator.js';
export { Issuers } from './nest/decorators/issuers.decorator.js';
export { PolicyRegistry } from './nest/policy-registry.js';
export { Principal, Claims } from './nest/decorators/principal.decorator.js';
export { AccessToken } from './nest/decorators/access-token.decorator.js';
export { RequireAuthentication } from './nest/decorators/require-authentication.decorator.js';
export { RequireDPoP } from './nest/decorators/require-dpop.decorator.js';
export type { DPoPOptions } from './nest/dpop.options.js';
export { DPoPGate } from './nest/dpop-gate.js';
export type { AuthenticationRequirement } from './nest/authentication-requirement.js';
export type { AuthenticationContext } from './verification/authentication-context.js';
export { standardAuthenticationContext } from './verification/authentication-context.js';
export {
  entraAuthenticationContext,
  keycloakAuthenticationContext,
} from './providers/authentication-context.js';
export { OidcAuthenticator } from './nest/oidc-authenticator.js';
export type { Authenticated } from './nest/oidc-authenticator.js';
export type { Authentication, HttpExchange } from './nest/transports/transport.js';
export type { WebSocketTokenOptions } from './nest/transports/ws.transport.js';
export { connectionPrincipal } from './nest/connection-principal.js';
export { graphqlWsAuthentication } from './nest/graphql-ws-authentication.js';
export type { GraphQLWsAuthenticationOptions } from './nest/graphql-ws-authentication.js';
export { GraphQLRefusal } from './nest/transports/graphql.transport.js';
export type { GraphQLWsConnection } from './nest/transports/graphql.transport.js';
export type { CertificateCarrier, MtlsOptions } from './nest/client-certificates.js';

export {
  OidcAuthError,
  MissingTokenError,
  InvalidRequestError,
  InvalidTokenError,
  InsufficientScopeError,
  InsufficientUserAuthenticationError,
  PolicyDeniedError,
  KeysUnavailableError,
  InvalidDPoPProofError,
  UseDPoPNonceError,
  ReplayStoreUnavailableError,
  IntrospectionUnavailableError,
} from './protocol/errors.js';
export type { RefusalReason, DPoPProofReason, DPoPBindingReason } from './protocol/errors.js';
export { toBearerErrorResponse } from './protocol/rfc6750.js';
export type { BearerErrorResponse, ChallengeOptions } from './protocol/rfc6750.js';
export { extractBearerToken } from './protocol/bearer-token.js';
export { certificateThumbprint } from './protocol/client-certificate.js';

export { OidcPrincipal } from './verification/principal.js';
export { TokenVerifier } from './verification/token-verifier.js';
export type { VerifiedToken } from './verification/token-verifier.js';
export { createVerifier } from './verification/create-verifier.js';
export type { VerifierConfig } from './verification/create-verifier.js';
export { standardClaims } from './verification/standard-claims.js';
export { verifyCertificateBinding } from './verification/certificate-binding.js';
export type { IssuerOptions, KeySetTuning } from './verification/issuer-options.js';
export type { IntrospectionOptions } from './verification/issuer-options.js';
export type { Introspector, IntrospectionResult } from './verification/introspector.js';
export { OpaqueTokenVerifier } from './verification/opaque-token-verifier.js';
export type {
  IntrospectionProblem,
  OpaqueTokenVerifierOptions,
} from './verification/opaque-token-verifier.js';
export type { IssuerResolver, ResolverCacheOptions } from './verification/issuer-resolver.js';
export { OidcAuthConfigError } from './verification/config-error.js';
export type { OidcStore } from './verification/store.js';
export { MemoryStore } from './verification/memory-store.js';
export { DPoPProofVerifier, accessTokenHash, boundThumbprint } from './verification/dpop-proof.js';
export type { DPoPProof, DPoPProofPolicy, DPoPProofRequest } from './verification/dpop-proof.js';
export { DPoPNonces } from './verification/dpop-nonce.js';
export { DPoPReplayCache } from './verification/dpop-replay.js';
export type { DPoPReplayOptions } from './verification/dpop-replay.js';
export { jwkThumbprint } from './verification/jwk-thumbprint.js';
export { normalizeHtu } from './protocol/dpop-htu.js';
export type { MemoryStoreOptions } from './verification/memory-store.js';
export type { ClaimMapper, ClaimMapping, JwtClaims } from './verification/claims.js';
export { ASYMMETRIC_ALGORITHMS } from './verification/algorithms.js';
export type { Algorithm } from './verification/algorithms.js';

export { oidc, genericClaims } from './providers/generic.js';
export type { OidcPresetOptions } from './providers/generic.js';
export { azureAd, azureAdClaims } from './providers/azure-ad.js';
export type { AzureAdOptions } from './providers/azure-ad.js';
export { auth0, auth0Claims } from './providers/auth0.js';
export type { Auth0Options } from './providers/auth0.js';
export { keycloak, keycloakClaims } from './providers/keycloak.js';
export type { KeycloakOptions } from './providers/keycloak.js';
export { okta, oktaClaims } from './providers/okta.js';
export type { OktaOptions } from './providers/okta.js';
export { cognito, cognitoClaims } from './providers/cognito.js';
export type { CognitoOptions } from './providers/cognito.js';
export { google, googleClaims } from './providers/google.js';
export type { GoogleAccessTokenOptions, GoogleOptions } from './providers/google.js';
export { routeTable } from './nest/route-table.js';
export type { RouteEntry } from './nest/route-table.js';
export { addOpenApiSecurity } from './nest/openapi-security.js';
export type { OpenApiSecurityOptions } from './nest/openapi-security.js';
export { OidcAuthEvents } from './nest/oidc-auth.events.js';
export type { AuthEvent } from './nest/oidc-auth.events.js';
export { protectedResourceMetadataUrl } from './protocol/resource-metadata.js';
export { policyOf, describePolicy } from './nest/route-audit.js';
export { TokenClient } from './client/token-client.js';
export type { TokenClientOptions, TokenTarget } from './client/token-client.js';
export { azureAdTokenClient } from './client/azure-ad-token-client.js';
export type { AzureAdTokenClientOptions } from './client/azure-ad-token-client.js';
export { authorizedFetch } from './client/authorized-fetch.js';
export type { AuthorizedFetchOptions } from './client/authorized-fetch.js';
export {
  TokenEndpointError,
  InvalidClientError,
  InvalidGrantError,
  InteractionRequiredError,
  TokenEndpointUnavailableError,
  UnexpectedTokenTypeError,
} from './client/token-endpoint-errors.js';
export { DpopKey } from './client/dpop-key.js';
export type { DpopAlgorithm, DpopProofRequest } from './client/dpop-key.js';
export type { DpopClientOptions, DpopSession } from './client/dpop-session.js';
