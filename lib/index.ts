/**
 * The resource server: `OidcAuthModule`, its guard and decorators, the identity provider presets, the
 * errors, the token client for downstream calls, and the core that verifies tokens without Nest.
 *
 * @module nest-oidc-auth
 */
export { OidcAuthModule } from './nest/module/oidc-auth.module.js';
export type {
  OidcAuthModuleOptions,
  OidcAuthModuleExtras,
} from './nest/options/oidc-auth.options.js';
export {
  OIDC_AUTH_GLOBAL_GUARD,
  OIDC_AUTH_OPTIONS,
  OIDC_AUTH_STORE,
} from './nest/options/oidc-auth.options.js';
export { OidcAuthGuard } from './nest/guard/oidc-auth.guard.js';
export { OidcAuthStrategy, OIDC_AUTH_STRATEGY } from './nest/passport/oidc-auth.strategy.js';
export { enforcePolicy } from './nest/policy/route-policy.js';
export type { RoutePolicy } from './nest/policy/route-policy.js';
export { Public } from './nest/policy/decorators/public.decorator.js';
export { Scopes, AnyScope } from './nest/policy/decorators/scopes.decorator.js';
export { Roles, AnyRole } from './nest/policy/decorators/roles.decorator.js';
export { Policy, AnyPolicy } from './nest/policy/decorators/policy.decorator.js';
export { AuthPolicy } from './nest/policy/decorators/auth-policy.decorator.js';
export type { OidcPolicy, PolicyCheck } from './nest/options/policy-check.js';
export { Issuers } from './nest/policy/decorators/issuers.decorator.js';
export { ProtectedResource } from './nest/resources/protected-resource.decorator.js';
export type { ProtectedResourceOptions } from './nest/options/protected-resource.options.js';
export type { RouteResource } from './nest/resources/protected-resource-entry.js';
export type { RouteChallenge } from './nest/policy/route-challenge.js';
export { PolicyRegistry } from './nest/policy/policy-registry.js';
export { Principal, Claims } from './nest/principal/principal.decorator.js';
export { AccessToken } from './nest/principal/access-token.decorator.js';
export { RequireAuthentication } from './nest/policy/decorators/require-authentication.decorator.js';
export { RequireDPoP } from './nest/policy/decorators/require-dpop.decorator.js';
export type { DPoPOptions } from './nest/options/dpop.options.js';
export { DPoPGate } from './nest/sender-constraint/dpop-gate.js';
export type { AuthenticationRequirement } from './nest/policy/authentication-requirement.js';
export type { AuthenticationContext } from './core/claims/claims.js';
export { standardAuthenticationContext } from './core/claims/authentication-context.js';
export {
  entraAuthenticationContext,
  keycloakAuthenticationContext,
} from './providers/authentication-context.js';
export { OidcAuthenticator } from './nest/authentication/oidc-authenticator.js';
export type { Authenticated } from './nest/authentication/oidc-authenticator.js';
export type { Authentication } from './nest/transports/transport.js';
export type { HttpExchange } from './nest/transports/http-exchange.js';
export type { WebSocketTokenOptions } from './nest/options/websocket.options.js';
export { connectionPrincipal } from './nest/principal/connection-principal.js';
export { graphqlWsAuthentication } from './nest/connections/graphql-ws-authentication.js';
export type { GraphQLWsAuthenticationOptions } from './nest/connections/graphql-ws-authentication.js';
export { GraphQLRefusal } from './nest/transports/graphql.transport.js';
export type { GraphQLWsConnection } from './nest/transports/graphql.transport.js';
export type { CertificateCarrier } from './protocol/mtls/client-certificate.js';
export type { MtlsOptions } from './nest/options/mtls.options.js';
export { OidcRevocations } from './nest/revocation/oidc-revocations.js';
export type { RevocationKind } from './nest/revocation/oidc-revocations.js';
export type {
  AppTokenSource,
  RevocationOptions,
  RevocationReplicasOptions,
  SecurityEventAuthorization,
  SecurityEventPollOptions,
  SecurityEventStreamOptions,
  SecurityEventTransmitterOptions,
} from './nest/options/revocation.options.js';

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
  RevocationsUnavailableError,
  IntrospectionClientRefusedError,
  IntrospectionUnavailableError,
  SecurityEventError,
  TokenRevokedError,
} from './protocol/errors/errors.js';
export type {
  SecurityEventErrorCode,
  RefusalReason,
  DPoPProofReason,
  DPoPBindingReason,
} from './protocol/errors/errors.js';
export { toBearerErrorResponse } from './protocol/bearer/rfc6750.js';
export type {
  BearerErrorResponse,
  ChallengeOptions,
  RecoveryParameters,
} from './protocol/bearer/rfc6750.js';
export { extractBearerToken } from './protocol/bearer/bearer-token.js';
export { certificateThumbprint } from './protocol/mtls/client-certificate.js';

export { OidcPrincipal } from './core/claims/principal.js';
export { TokenVerifier } from './core/jwt/token-verifier.js';
export type { VerifiedToken } from './core/jwt/token-verifier.js';
export { createVerifier } from './core/jwt/create-verifier.js';
export type { VerifierConfig } from './core/jwt/create-verifier.js';
export { standardClaims } from './core/claims/standard-claims.js';
export { verifyCertificateBinding } from './core/mtls/certificate-binding.js';
export type { IssuerOptions, KeySetTuning } from './core/issuers/issuer-options.js';
export type { IntrospectionOptions } from './core/introspection/introspection-options.js';
export type { Introspector, IntrospectionResult } from './core/introspection/introspector.js';
export { OpaqueTokenVerifier } from './core/opaque/opaque-token-verifier.js';
export type {
  IntrospectionProblem,
  OpaqueTokenVerifierOptions,
} from './core/opaque/opaque-token-verifier.js';
export type { IssuerResolver, ResolverCacheOptions } from './core/issuers/issuer-resolver.js';
export { OidcAuthConfigError } from './core/config/config-error.js';
export type {
  OidcStore,
  OidcSharedLog,
  OidcLogEntry,
  OidcLogListener,
  OidcLogSubscription,
} from './core/store/store.js';
export { MemoryStore } from './core/store/memory-store.js';
export { DPoPProofVerifier, accessTokenHash, boundThumbprint } from './core/dpop/dpop-proof.js';
export type { DPoPProof, DPoPProofPolicy, DPoPProofRequest } from './core/dpop/dpop-proof.js';
export { DPoPNonces } from './core/dpop/dpop-nonce.js';
export { DPoPReplayCache } from './core/dpop/dpop-replay.js';
export type { DPoPReplayOptions } from './core/dpop/dpop-replay.js';
export { jwkThumbprint } from './core/jose/jwk-thumbprint.js';
export { normalizeHtu } from './protocol/dpop/dpop-htu.js';
export type { MemoryStoreOptions } from './core/store/memory-store.js';
export type { ClaimMapper, ClaimMapping, JwtClaims } from './core/claims/claims.js';
export { ASYMMETRIC_ALGORITHMS } from './core/jose/algorithms.js';
export type { Algorithm } from './core/jose/algorithms.js';

export { oidc, genericClaims } from './providers/generic.js';
export type { OidcPresetOptions } from './providers/generic.js';
export { azureAd, azureAdClaims } from './providers/azure-ad.js';
export { entraClientCapabilities } from './providers/client-capabilities.js';
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
export { routeTable } from './nest/metadata/route-table.js';
export type { RouteEntry } from './nest/metadata/route-table.js';
export { addOpenApiSecurity } from './nest/metadata/openapi-security.js';
export type { OpenApiSecurityOptions } from './nest/metadata/openapi-security.js';
export { OidcAuthEvents } from './nest/observability/oidc-auth.events.js';
export type {
  AuthEvent,
  SecurityEventOutcome,
  SecurityEventReport,
} from './nest/observability/oidc-auth.events.js';
export { protectedResourceMetadataUrl } from './protocol/metadata/resource-metadata.js';
export { policyOf, describePolicy } from './nest/metadata/route-audit.js';
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
