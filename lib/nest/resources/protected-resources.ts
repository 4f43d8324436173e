import { Inject, Injectable } from '@nestjs/common';
import { OidcAuthConfigError } from '../../core/config/config-error.js';
import { TokenVerifier } from '../../core/jwt/token-verifier.js';
import { OIDC_AUTH_OPTIONS, type OidcAuthModuleOptions } from '../options/oidc-auth.options.js';
import type { ProtectedResourceEntry } from './protected-resource-entry.js';
import { resolveResources } from './resolve-resources.js';

/**
 * The application's protected resources, resolved once from the options; constructing it is the
 * startup check of `protectedResource` and `protectedResources`.
 */
@Injectable()
export class ProtectedResources {
  /** The resource of every route that `@ProtectedResource` does not put under a named one. */
  readonly root: ProtectedResourceEntry;
  private readonly named: ReadonlyMap<string, ProtectedResourceEntry>;

  constructor(verifier: TokenVerifier, @Inject(OIDC_AUTH_OPTIONS) options: OidcAuthModuleOptions) {
    ({ root: this.root, named: this.named } = resolveResources(options, verifier.issuers));
  }

  /** Every resource that publishes an RFC 9728 document. */
  get published(): ProtectedResourceEntry[] {
    return [this.root, ...this.named.values()].filter((entry) => entry.metadataPath !== undefined);
  }

  has(name: string): boolean {
    return this.named.has(name);
  }

  /** The resource `@ProtectedResource(name)` names on `where`, or the root one without a name. */
  of(name: string | undefined, where: string): ProtectedResourceEntry {
    if (name === undefined) return this.root;
    const entry = this.named.get(name);
    if (entry) return entry;
    throw new OidcAuthConfigError(
      'protectedResources',
      `has no resource ${name}, which @ProtectedResource on ${where} names (defined: ${[...this.named.keys()].join(', ') || 'none'})`,
    );
  }
}
