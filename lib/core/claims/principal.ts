import { standardAuthenticationContext } from './authentication-context.js';
import { type AuthenticationContext, type ClaimMapping, type JwtClaims } from './claims.js';

const NO_CAPABILITIES: readonly string[] = Object.freeze([]);

/** The authenticated caller, normalised across providers. */
export class OidcPrincipal {
  readonly clientId?: string;
  /** What the client declared it can handle, as the issuer's mapper read it (`cp1` ...). */
  readonly clientCapabilities: readonly string[];
  readonly tenantId?: string;
  readonly isAppOnly: boolean;
  // The lists as mapped; the Sets are built only when asked for. Most requests check a scope or two
  // or none, and a principal may sit in the verified-token cache for its token's lifetime: two Sets
  // each would be allocated on every verification and kept with every cache entry.
  private readonly scopeList: readonly string[];
  private readonly roleList: readonly string[];
  private scopeSet?: ReadonlySet<string>;
  private roleSet?: ReadonlySet<string>;
  // Read when a route asks for it (step-up routes), like the Sets above.
  private authContextOf?: AuthenticationContext;

  constructor(
    readonly subject: string,
    readonly issuer: string,
    readonly audience: readonly string[],
    readonly expiresAt: Date,
    mapping: ClaimMapping,
    readonly claims: JwtClaims,
  ) {
    this.scopeList = mapping.scopes;
    this.roleList = mapping.roles;
    this.clientId = mapping.clientId;
    this.tenantId = mapping.tenantId;
    this.isAppOnly = mapping.isAppOnly;
    this.authContextOf = mapping.authContext;
    this.clientCapabilities = mapping.clientCapabilities ?? NO_CAPABILITIES;
  }

  /** How and when the user authenticated, as the issuer's mapper normalised it. */
  get authContext(): AuthenticationContext {
    return (this.authContextOf ??= standardAuthenticationContext(this.claims));
  }

  get scopes(): ReadonlySet<string> {
    return (this.scopeSet ??= new Set(this.scopeList));
  }

  get roles(): ReadonlySet<string> {
    return (this.roleSet ??= new Set(this.roleList));
  }

  hasScope(scope: string): boolean {
    return this.scopeList.includes(scope);
  }

  hasRole(role: string): boolean {
    return this.roleList.includes(role);
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
      // Total even for a principal built by hand with an invalid Date: a handler returning the
      // principal must never answer 500.
      expiresAt: Number.isNaN(this.expiresAt.getTime()) ? null : this.expiresAt.toISOString(),
      claims: this.claims,
    };
  }
}
