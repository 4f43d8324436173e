import { type ClaimMapping, type JwtClaims } from './claims.js';

/** The authenticated caller, normalised across providers. */
export class OidcPrincipal {
  readonly scopes: ReadonlySet<string>;
  readonly roles: ReadonlySet<string>;
  readonly clientId?: string;
  readonly tenantId?: string;
  readonly isAppOnly: boolean;

  constructor(
    readonly subject: string,
    readonly issuer: string,
    readonly audience: readonly string[],
    readonly expiresAt: Date,
    mapping: ClaimMapping,
    readonly claims: JwtClaims,
  ) {
    this.scopes = new Set(mapping.scopes);
    this.roles = new Set(mapping.roles);
    this.clientId = mapping.clientId;
    this.tenantId = mapping.tenantId;
    this.isAppOnly = mapping.isAppOnly;
  }

  hasScope(scope: string): boolean {
    return this.scopes.has(scope);
  }

  hasRole(role: string): boolean {
    return this.roles.has(role);
  }

  /** Sets do not survive JSON.stringify; handlers often return the principal as it is. */
  toJSON(): Record<string, unknown> {
    return {
      subject: this.subject,
      issuer: this.issuer,
      audience: this.audience,
      tenantId: this.tenantId,
      clientId: this.clientId,
      scopes: [...this.scopes],
      roles: [...this.roles],
      isAppOnly: this.isAppOnly,
      expiresAt: this.expiresAt.toISOString(),
      claims: this.claims,
    };
  }
}
