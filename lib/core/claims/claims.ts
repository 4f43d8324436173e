/** A verified token's payload, as the issuer wrote it. */
export type JwtClaims = Readonly<Record<string, unknown>>;

/**
 * How and when the user authenticated (OIDC Core §2, RFC 9470), in one shape for every provider:
 * what step-up requirements are checked against.
 */
export interface AuthenticationContext {
  /** Authentication context class references the token satisfies; any one meets an `acr` requirement. */
  acr: readonly string[];
  /** Authentication methods (RFC 8176): `pwd`, `otp`, `mfa` ... */
  amr: readonly string[];
  /** When the user authenticated, in seconds since the epoch (`auth_time`). */
  authTime?: number;
}

/** What a provider's token says about authorization, in one shape for every provider. */
export interface ClaimMapping {
  scopes: readonly string[];
  roles: readonly string[];
  clientId?: string;
  tenantId?: string;
  /** True for a token a client obtained for itself (client credentials): no user is involved. */
  isAppOnly: boolean;
  /** How and when the user authenticated; when absent, the standard `acr`, `amr`, `auth_time`. */
  authContext?: AuthenticationContext;
  /**
   * What the client declared it can handle (Entra's `xms_cc`: `cp1` for Continuous Access
   * Evaluation claims challenges). When absent, none.
   */
  clientCapabilities?: readonly string[];
}

/**
 * Reads scopes, roles and identities out of one provider's token shape. Pure, so each provider's
 * quirks are tested in isolation.
 */
export type ClaimMapper = (claims: JwtClaims) => ClaimMapping;

export function stringClaim(claims: JwtClaims, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Space-separated strings (RFC 8693 `scope`) and JSON arrays of strings both occur in the wild.
 * For scope-like claims only: an audience is never split (see `audienceList`).
 */
export function listClaim(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value))
    return value.filter((v): v is string => typeof v === 'string' && v !== '');
  return [];
}

/**
 * The audiences of an `aud`-like claim (RFC 7519 §4.1.3): a string is one audience, spaces and all;
 * only an array lists several. `undefined` when the claim is neither, or lists a non-string.
 */
export function audienceList(value: unknown): readonly string[] | undefined {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return undefined;
  for (const member of value) if (typeof member !== 'string') return undefined;
  return value as string[];
}

export function objectClaim(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
