import { Module } from '@nestjs/common';
import { TokenVerifier } from '../verification/token-verifier';
import { ConfigurableModuleClass, OIDC_AUTH_OPTIONS } from './oidc-auth.module-definition';
import { OidcAuthGuard } from './oidc-auth.guard';
import { OidcAuthStrategy } from './oidc-auth.strategy';
import { RoutePolicyReader } from './route-policy';
import { tokenVerifierProvider } from './token-verifier.provider';

/**
 * `OidcAuthModule.forRoot({ issuers: [...] })` or `forRootAsync({ imports, inject, useFactory })`.
 * By default every route of the application then needs a valid bearer token.
 */
@Module({
  providers: [tokenVerifierProvider, OidcAuthStrategy, RoutePolicyReader, OidcAuthGuard],
  exports: [TokenVerifier, RoutePolicyReader, OidcAuthGuard, OIDC_AUTH_OPTIONS],
})
export class OidcAuthModule extends ConfigurableModuleClass {}
