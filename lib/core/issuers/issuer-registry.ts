import { InvalidTokenError } from '../../protocol/errors/errors.js';
import { stringClaim } from '../claims/claims.js';
import type { ResolvedIssuers } from './issuer-resolver.js';
import { TENANT_PLACEHOLDER, TrustedIssuer } from './trusted-issuer.js';

/**
 * Chooses the trusted issuer of a token from its unverified `iss`, by exact match, before anything
 * else happens: a token naming an issuer we do not trust costs no network request. Issuers no
 * static entry matches go to the issuer resolver, when there is one.
 */
export class IssuerRegistry {
  private readonly exact = new Map<string, TrustedIssuer>();
  private readonly templates: TrustedIssuer[] = [];

  constructor(
    readonly issuers: readonly TrustedIssuer[],
    readonly resolved?: ResolvedIssuers,
  ) {
    for (const issuer of issuers) {
      if (issuer.isTemplate) this.templates.push(issuer);
      else for (const iss of [issuer.issuer, ...issuer.aliases]) this.exact.set(iss, issuer);
    }
  }

  /** Without waiting: the token's issuer, or `undefined` when only the resolver can tell. */
  select(payload: Readonly<Record<string, unknown>>): TrustedIssuer | undefined {
    const iss = issOf(payload);
    const exact = this.exact.get(iss);
    if (exact) return exact;
    for (const template of this.templates) {
      if (this.matchesTemplate(template, iss, payload)) return template;
    }
    if (!this.resolved) throw untrusted();
    const resolved = this.resolved.peek(iss);
    return resolved && this.checkResolved(resolved, iss, payload);
  }

  /** The token's issuer, asking the resolver when needed. */
  async resolve(payload: Readonly<Record<string, unknown>>): Promise<TrustedIssuer> {
    const now = this.select(payload);
    if (now) return now;
    const iss = issOf(payload);
    return this.checkResolved(await this.resolved!.resolve(iss), iss, payload);
  }

  // The resolver approved `iss` by its exact issuer or an alias, or by a `{tenantid}` template,
  // whose tenant rules hold for each token as they do for static templates.
  private checkResolved(
    trusted: TrustedIssuer,
    iss: string,
    payload: Readonly<Record<string, unknown>>,
  ): TrustedIssuer {
    if (trusted.isTemplate && !this.matchesTemplate(trusted, iss, payload)) throw untrusted();
    return trusted;
  }

  // Entra multi-tenant: the issuer must be the template with the token's own `tid` filled in (so a
  // tenant cannot mint tokens claiming another tenant's issuer), and that tenant must be allowed.
  private matchesTemplate(
    template: TrustedIssuer,
    iss: string,
    payload: Readonly<Record<string, unknown>>,
  ): boolean {
    const [prefix, suffix] = template.issuer.split(TENANT_PLACEHOLDER);
    if (
      !iss.startsWith(prefix) ||
      !iss.endsWith(suffix) ||
      iss.length <= prefix.length + suffix.length
    ) {
      return false;
    }
    const issTenant = iss.slice(prefix.length, iss.length - suffix.length);
    const tid = stringClaim(payload, 'tid');
    if (tid !== issTenant) {
      throw new InvalidTokenError(
        'issuer_mismatch',
        'The token issuer does not match its tenant (tid)',
      );
    }
    if (template.allowedTenants && !template.allowedTenants.has(tid)) {
      throw new InvalidTokenError(
        'tenant_not_allowed',
        'The token tenant is not allowed by this API',
      );
    }
    return true;
  }
}

function issOf(payload: Readonly<Record<string, unknown>>): string {
  const iss = payload.iss;
  if (typeof iss !== 'string' || iss === '') {
    throw new InvalidTokenError('malformed_token', 'The token has no iss claim');
  }
  return iss;
}

const untrusted = () =>
  new InvalidTokenError('unknown_issuer', 'The token issuer is not trusted by this API');
