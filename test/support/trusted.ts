import type { IssuerOptions } from '../../lib/index.js';
import type { LocalIssuer } from '../../lib/testing/index.js';

/**
 * Issuer entries that trust `issuers` by URL and audience alone: the module's own claim mapping,
 * where `issuerOptions()` would bring the issuer's provider mapping.
 */
export function trusted(...issuers: LocalIssuer[]): IssuerOptions[] {
  return issuers.map(({ issuer, audience }) => ({ issuer, audience }));
}
