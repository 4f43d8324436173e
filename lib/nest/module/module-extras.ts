import type { Provider } from '@nestjs/common';
import { OidcAuthConfigError } from '../../core/config/config-error.js';
import { OIDC_AUTH_OPTIONS, type OidcAuthModuleExtras } from '../options/oidc-auth.options.js';

const EXTRAS: Record<keyof OidcAuthModuleExtras, true> = { globalGuard: true };

/**
 * Extras (`globalGuard`) sit beside the options, in the one object `forRoot` takes, or beside
 * `useFactory` in `forRootAsync`'s; Nest's ConfigurableModuleBuilder reads them nowhere else. One
 * inside the options a factory returns would be dropped without a word (the types let it through),
 * so the module refuses to start instead.
 */
export const extrasOutOfPlaceCheck: Provider = {
  provide: Symbol('OIDC_AUTH_EXTRAS_CHECK'),
  inject: [OIDC_AUTH_OPTIONS],
  useFactory: (options: object) => {
    const misplaced = Object.keys(options).find((key) => key in EXTRAS);
    if (misplaced !== undefined) {
      throw new OidcAuthConfigError(
        misplaced,
        'is a module extra: give it to forRootAsync beside useFactory, not in the options the factory returns',
      );
    }
    return true;
  },
};

/** Refuses a second argument to `forRoot`, which Nest would ignore (a JavaScript caller's extras). */
export function refuseSecondArgument(count: number): void {
  if (count > 1) {
    throw new OidcAuthConfigError(
      'forRoot',
      'takes one object: put extras such as globalGuard beside the options, forRoot({ issuers, globalGuard: false })',
    );
  }
}
