import { ConfigurableModuleBuilder, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { extrasOutOfPlaceCheck } from './module-extras.js';
import { OidcAuthGuard } from '../guard/oidc-auth.guard.js';
import {
  OIDC_AUTH_GLOBAL_GUARD,
  OIDC_AUTH_OPTIONS,
  type OidcAuthModuleExtras,
  type OidcAuthModuleOptions,
} from '../options/oidc-auth.options.js';

export const { ConfigurableModuleClass, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<OidcAuthModuleOptions>({ optionsInjectionToken: OIDC_AUTH_OPTIONS })
    .setClassMethodName('forRoot')
    .setExtras<OidcAuthModuleExtras>({ globalGuard: true }, (definition, extras) => {
      const isGlobal = extras.globalGuard !== false;
      const globalGuard: Provider[] = [
        { provide: OIDC_AUTH_GLOBAL_GUARD, useValue: isGlobal },
        ...(isGlobal ? [{ provide: APP_GUARD, useExisting: OidcAuthGuard }] : []),
      ];
      return {
        ...definition,
        // Global so that `@UseGuards(OidcAuthGuard)` and `TokenVerifier` work in every module.
        global: true,
        providers: [...(definition.providers ?? []), ...globalGuard, extrasOutOfPlaceCheck],
      };
    })
    .build();
