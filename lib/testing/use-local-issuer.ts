import type { TestingModuleBuilder } from '@nestjs/testing';
import {
  OIDC_AUTH_OPTIONS,
  type OidcAuthModuleOptions,
} from '../nest/options/oidc-auth.options.js';
import type { LocalIssuer } from './local-issuer.js';

/**
 * Makes an application under test trust `issuer` instead of its configured providers:
 * `useLocalIssuer(Test.createTestingModule({ imports: [AppModule] }), issuer).compile()`.
 * The application's own module options are replaced by `options` plus the local issuer.
 */
export function useLocalIssuer(
  builder: TestingModuleBuilder,
  issuer: LocalIssuer,
  options: Omit<Partial<OidcAuthModuleOptions>, 'issuers'> = {},
): TestingModuleBuilder {
  return builder
    .overrideProvider(OIDC_AUTH_OPTIONS)
    .useValue({ ...options, issuers: [issuer.issuerOptions()] } satisfies OidcAuthModuleOptions);
}
