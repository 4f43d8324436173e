import { ConfigurableModuleBuilder, Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { OidcAuthGuard } from './oidc-auth.guard';
import { OidcAuthModuleExtras, OidcAuthModuleOptions } from './oidc-auth.options';

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: OIDC_AUTH_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<OidcAuthModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<OidcAuthModuleExtras>({ globalGuard: true }, (definition, extras) => {
    const globalGuard: Provider[] =
      extras.globalGuard === false ? [] : [{ provide: APP_GUARD, useExisting: OidcAuthGuard }];
    return {
      ...definition,
      // Global so that `@UseGuards(OidcAuthGuard)` and `TokenVerifier` work in every module.
      global: true,
      providers: [...(definition.providers ?? []), ...globalGuard],
    };
  })
  .build();
