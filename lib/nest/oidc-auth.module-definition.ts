import { ConfigurableModuleBuilder, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { OidcAuthGuard } from './oidc-auth.guard.js';
import {
  OIDC_AUTH_OPTIONS,
  type OidcAuthModuleExtras,
  type OidcAuthModuleOptions,
} from './oidc-auth.options.js';

export const { ConfigurableModuleClass, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<OidcAuthModuleOptions>({ optionsInjectionToken: OIDC_AUTH_OPTIONS })
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
