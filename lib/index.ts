export { OidcAuthModule } from './nest/oidc-auth.module';
export { OidcAuthModuleOptions, OidcAuthModuleExtras } from './nest/oidc-auth.options';
export { OIDC_AUTH_OPTIONS } from './nest/oidc-auth.module-definition';
export { OidcAuthGuard } from './nest/oidc-auth.guard';
export { OidcAuthStrategy, OIDC_AUTH_STRATEGY } from './nest/oidc-auth.strategy';
export { RoutePolicy, RoutePolicyReader, enforcePolicy } from './nest/route-policy';
export { Public } from './nest/decorators/public.decorator';
export { Scopes, AnyScope } from './nest/decorators/scopes.decorator';
export { Roles, AnyRole } from './nest/decorators/roles.decorator';
export { Principal, Claims } from './nest/decorators/principal.decorator';

export {
  OidcAuthError,
  MissingTokenError,
  InvalidRequestError,
  InvalidTokenError,
  InsufficientScopeError,
  KeysUnavailableError,
  UnsupportedContextError,
  RefusalReason,
} from './protocol/errors';
export { toBearerErrorResponse, BearerErrorResponse, ChallengeOptions } from './protocol/rfc6750';
export { extractBearerToken } from './protocol/bearer-token';

export { OidcPrincipal } from './verification/principal';
export { TokenVerifier } from './verification/token-verifier';
export { IssuerOptions, KeySetTuning } from './verification/issuer-options';
export { OidcAuthConfigError } from './verification/config-error';
export { ClaimMapper, ClaimMapping, JwtClaims } from './verification/claims';
export { Algorithm, ASYMMETRIC_ALGORITHMS } from './verification/algorithms';

export { oidc, genericClaims, OidcPresetOptions } from './providers/generic';
export { azureAd, azureAdClaims, AzureAdOptions } from './providers/azure-ad';
export { auth0, auth0Claims, Auth0Options } from './providers/auth0';
export { keycloak, keycloakClaims, KeycloakOptions } from './providers/keycloak';
export { okta, oktaClaims, OktaOptions } from './providers/okta';
export { cognito, cognitoClaims, CognitoOptions } from './providers/cognito';
export { google, googleClaims, GoogleOptions } from './providers/google';
