import type { Provider } from '@nestjs/common';
import { OidcAuthConfigError } from '../verification/config-error.js';
import { clockToleranceOf, createVerifier } from '../verification/create-verifier.js';
import { TokenVerifier } from '../verification/token-verifier.js';
import { VerifiedTokenCache } from '../verification/verified-token-cache.js';
import { OIDC_AUTH_OPTIONS, type OidcAuthModuleOptions } from './oidc-auth.options.js';

export function createVerifiedTokenCache(
  options: OidcAuthModuleOptions,
): VerifiedTokenCache | null {
  if (options.cache?.enabled === false) return null;
  const maxEntries = options.cache?.maxEntries ?? 10_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new OidcAuthConfigError('cache.maxEntries', 'must be a positive integer');
  }
  return new VerifiedTokenCache({ maxEntries, clockToleranceSeconds: clockToleranceOf(options) });
}

export function createTokenVerifier(
  options: OidcAuthModuleOptions,
  cache: VerifiedTokenCache | null,
): TokenVerifier {
  return createVerifier({
    issuers: options?.issuers,
    clockToleranceSeconds: options?.clockToleranceSeconds,
    keys: options?.keys,
    onKeysRefreshed: cache ? (issuer, keys) => cache.retainKeys(issuer, keys) : undefined,
  });
}

export const verifiedTokenCacheProvider: Provider = {
  provide: VerifiedTokenCache,
  useFactory: createVerifiedTokenCache,
  inject: [OIDC_AUTH_OPTIONS],
};

export const tokenVerifierProvider: Provider = {
  provide: TokenVerifier,
  useFactory: createTokenVerifier,
  inject: [OIDC_AUTH_OPTIONS, VerifiedTokenCache],
};
