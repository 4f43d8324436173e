import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TokenVerifier } from '../verification/token-verifier.js';
import { ConfigurableModuleClass, type OPTIONS_TYPE } from './oidc-auth.module-definition.js';
import { refuseSecondArgument } from './module-extras.js';
import { OidcAuthEvents } from './oidc-auth.events.js';
import { OidcAuthGuard } from './oidc-auth.guard.js';
import { DPoPGate } from './dpop-gate.js';
import { OidcAuthenticator } from './oidc-authenticator.js';
import { OIDC_AUTH_GLOBAL_GUARD, OIDC_AUTH_OPTIONS, OIDC_AUTH_STORE } from './oidc-auth.options.js';
import { OidcAuthStrategy } from './oidc-auth.strategy.js';
import { OidcAuthWarmUp } from './oidc-auth.warm-up.js';
import { MessageHandlersGuarding } from './message-handlers.guarding.js';
import { PassportRoutePolicy } from './passport-route-policy.js';
import { opaqueTokenVerifierProvider } from './opaque-token-verifier.provider.js';
import { PolicyRegistry } from './policy-registry.js';
import { ProtectedResourceMetadata } from './protected-resource.js';
import { RouteAudit } from './route-audit.js';
import { RouteRequirementsCheck } from './route-requirements.check.js';
import { RoutePolicyReader } from './route-policy.js';
import {
  storeProvider,
  telemetryProvider,
  tokenVerifierProvider,
  verifiedTokenCacheProvider,
} from './token-verifier.provider.js';
import { VerifiedTokenCache } from '../verification/verified-token-cache.js';

/**
 * `OidcAuthModule.forRoot({ issuers: [...] })` or `forRootAsync({ imports, inject, useFactory })`.
 * By default every route of the application then needs a valid bearer token.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    MessageHandlersGuarding,
    PassportRoutePolicy,
    storeProvider,
    verifiedTokenCacheProvider,
    telemetryProvider,
    tokenVerifierProvider,
    opaqueTokenVerifierProvider,
    OidcAuthStrategy,
    RoutePolicyReader,
    PolicyRegistry,
    OidcAuthEvents,
    OidcAuthenticator,
    DPoPGate,
    OidcAuthGuard,
    OidcAuthWarmUp,
    ProtectedResourceMetadata,
    RouteAudit,
    RouteRequirementsCheck,
  ],
  exports: [
    TokenVerifier,
    VerifiedTokenCache,
    RoutePolicyReader,
    PolicyRegistry,
    OidcAuthEvents,
    OidcAuthenticator,
    DPoPGate,
    OidcAuthGuard,
    OIDC_AUTH_OPTIONS,
    OIDC_AUTH_GLOBAL_GUARD,
    OIDC_AUTH_STORE,
  ],
})
export class OidcAuthModule extends ConfigurableModuleClass {
  /** The options and the extras (`globalGuard`) in one object, as ConfigurableModuleBuilder has it. */
  static forRoot(options: typeof OPTIONS_TYPE): DynamicModule {
    // `arguments`, not a rest parameter, which would let the types take a second argument.
    refuseSecondArgument(arguments.length);
    return super.forRoot(options);
  }
}
