import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TokenVerifier } from '../../core/jwt/token-verifier.js';
import { ConfigurableModuleClass, type OPTIONS_TYPE } from './oidc-auth.module-definition.js';
import { refuseSecondArgument } from './module-extras.js';
import { OidcAuthEvents } from '../observability/oidc-auth.events.js';
import { OidcAuthGuard } from '../guard/oidc-auth.guard.js';
import { DPoPGate } from '../sender-constraint/dpop-gate.js';
import { OidcAuthenticator } from '../authentication/oidc-authenticator.js';
import {
  OIDC_AUTH_GLOBAL_GUARD,
  OIDC_AUTH_OPTIONS,
  OIDC_AUTH_STORE,
} from '../options/oidc-auth.options.js';
import { OidcAuthStrategy } from '../passport/oidc-auth.strategy.js';
import { OidcAuthWarmUp } from './oidc-auth.warm-up.js';
import { MessageHandlersGuarding } from '../guard/message-handlers.guarding.js';
import { PassportRoutePolicy } from '../passport/passport-route-policy.js';
import { opaqueTokenVerifierProvider } from '../authentication/opaque-token-verifier.provider.js';
import { PolicyRegistry } from '../policy/policy-registry.js';
import { ProtectedResourceMetadata } from '../metadata/protected-resource.js';
import { RouteAudit } from '../metadata/route-audit.js';
import { RouteRequirementsCheck } from '../policy/route-requirements.check.js';
import { RoutePolicyReader } from '../policy/route-policy.js';
import { ProtectedResources } from '../resources/protected-resources.js';
import {
  storeProvider,
  telemetryProvider,
  tokenVerifierProvider,
  verifiedTokenCacheProvider,
} from '../authentication/token-verifier.provider.js';
import { VerifiedTokenCache } from '../../core/jwt/verified-token-cache.js';
import {
  revocationListProvider,
  securityEventReceiverProvider,
  sharedRevocationsProvider,
} from '../revocation/revocation.providers.js';
import { RevocationReplication } from '../revocation/revocation-replication.js';
import { OidcRevocations } from '../revocation/oidc-revocations.js';
import { SecurityEventPush } from '../revocation/security-event-push.js';
import { SecurityEventReports } from '../revocation/security-event-reports.js';
import { SecurityEventStreamState } from '../revocation/security-event-stream-state.js';
import { SecurityEventStreams } from '../revocation/security-event-streams.js';

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
    revocationListProvider,
    sharedRevocationsProvider,
    RevocationReplication,
    securityEventReceiverProvider,
    OidcRevocations,
    SecurityEventReports,
    SecurityEventPush,
    SecurityEventStreamState,
    SecurityEventStreams,
    OidcAuthStrategy,
    ProtectedResources,
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
    ProtectedResources,
    RoutePolicyReader,
    PolicyRegistry,
    OidcAuthEvents,
    OidcAuthenticator,
    OidcRevocations,
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
