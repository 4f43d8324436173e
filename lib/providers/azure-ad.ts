import { type ClaimMapper, listClaim, stringClaim } from '../core/claims/claims.js';
import { entraAuthenticationContext } from './authentication-context.js';
import { entraClientCapabilities } from './client-capabilities.js';
import { type IssuerOptions } from '../core/issuers/issuer-options.js';
import { OidcAuthConfigError } from '../core/config/config-error.js';
import { TENANT_PLACEHOLDER } from '../core/issuers/trusted-issuer.js';

/**
 * Microsoft Entra ID, v1 and v2 tokens. Delegated permissions are in `scp`; `roles` holds app
 * roles for users and application permissions for apps. An app-only token (`idtyp: app`, or no `scp`
 * and `oid` equal to `sub` when `idtyp` is not emitted) has no delegated scopes, so its application
 * permissions count as its scopes as well: `@Scopes('Notes.Read')` admits an app granted the
 * `Notes.Read` application permission, as Microsoft's own middleware does.
 */
export const azureAdClaims: ClaimMapper = (claims) => {
  const delegated = listClaim(claims.scp);
  const roles = listClaim(claims.roles);
  const idtyp = stringClaim(claims, 'idtyp');
  const isAppOnly =
    idtyp !== undefined
      ? idtyp === 'app'
      : delegated.length === 0 && claims.oid !== undefined && claims.oid === claims.sub;
  return {
    scopes: isAppOnly ? roles : delegated,
    roles,
    clientId: stringClaim(claims, 'azp') ?? stringClaim(claims, 'appid'),
    tenantId: stringClaim(claims, 'tid'),
    isAppOnly,
    authContext: entraAuthenticationContext(claims),
    clientCapabilities: entraClientCapabilities(claims),
  };
};

export interface AzureAdOptions {
  /** Directory (tenant) id, or `organizations` / `common` for multi-tenant APIs. */
  tenantId: string;
  /** The API's application (client) id; tokens for `clientId` and `api://clientId` are accepted. */
  clientId: string;
  /** Extra accepted audiences, e.g. a custom application ID URI. */
  audiences?: readonly string[];
  /** Login host; national clouds use another one. Default `https://login.microsoftonline.com`. */
  instance?: string;
  /** v1 token issuer host. Default `https://sts.windows.net`. */
  v1Instance?: string;
  /** Multi-tenant APIs: the tenants whose tokens are accepted (`['*']` for any). */
  allowedTenants?: readonly string[];
}

const MULTI_TENANT = new Set(['common', 'organizations']);

function trim(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * Entra ID issuer entries: one for v2 tokens (`{instance}/{tid}/v2.0`) and one for v1 tokens
 * (`https://sts.windows.net/{tid}/`), both with keys from the tenant's discovery document.
 */
const TENANT_GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function azureAd(options: AzureAdOptions): IssuerOptions[] {
  // Tokens always name the tenant by its GUID: a domain name or `consumers` would build issuers
  // that no token ever matches, and every request would be refused as unknown_issuer.
  if (!MULTI_TENANT.has(options.tenantId) && !TENANT_GUID.test(options.tenantId)) {
    throw new OidcAuthConfigError(
      'azureAd.tenantId',
      `must be the directory (tenant) id, a GUID, or "organizations"/"common", got ${JSON.stringify(options.tenantId)}`,
    );
  }
  const instance = trim(options.instance ?? 'https://login.microsoftonline.com');
  const v1Instance = trim(options.v1Instance ?? 'https://sts.windows.net');
  const multiTenant = MULTI_TENANT.has(options.tenantId);
  const tenant = multiTenant ? TENANT_PLACEHOLDER : options.tenantId;
  const shared = {
    audience: [options.clientId, `api://${options.clientId}`, ...(options.audiences ?? [])],
    claimMapper: azureAdClaims,
    allowedTenants: multiTenant ? options.allowedTenants : undefined,
    // A single-tenant API still checks that `tid` agrees with the issuer it was chosen by.
    validateClaims: multiTenant
      ? undefined
      : (claims: Readonly<Record<string, unknown>>) =>
          claims.tid === undefined || claims.tid === options.tenantId
            ? undefined
            : 'The token tenant (tid) does not match its issuer',
  };
  return [
    {
      ...shared,
      issuer: `${instance}/${tenant}/v2.0`,
      discoveryUri: `${instance}/${options.tenantId}/v2.0/.well-known/openid-configuration`,
    },
    {
      ...shared,
      issuer: `${v1Instance}/${tenant}/`,
      discoveryUri: `${instance}/${options.tenantId}/.well-known/openid-configuration`,
    },
  ];
}
