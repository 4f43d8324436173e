import { protectedResourceMetadataUrl } from '../../protocol/metadata/resource-metadata.js';
import type { ProtectedResourceOptions } from '../options/protected-resource.options.js';

/** The protected resource a route belongs to, as its policy sees it. */
export interface RouteResource {
  /** Its name in `protectedResources`; undefined for the root resource. */
  readonly name: string | undefined;
  readonly options: ProtectedResourceOptions | undefined;
  /** The absolute URL of its RFC 9728 document, when it publishes one. */
  readonly metadataUrl?: string;
  /** Whether its routes need a token meant for it: otherwise any audience will do. */
  readonly restricts: boolean;
  /** Whether a token with these audiences is meant for it. */
  admits(audience: readonly string[]): boolean;
  /**
   * The scopes its routes check themselves, beyond their decorators (an MCP endpoint's tools),
   * added at startup: in its metadata's `scopes_supported`, and in the challenges of its routes
   * that require no scope themselves unless `scopes` is configured.
   */
  readonly checkedScopes: readonly string[];
}

/**
 * One resource as the routes see it: which token audiences open it, and where its metadata is.
 * The root resource exists even when `protectedResource` is not set: the routes no named
 * resource covers, which still must not take the named resources' tokens.
 */
export class ProtectedResourceEntry implements RouteResource {
  /** Where its RFC 9728 document is served: absent when it publishes none. */
  readonly metadataPath?: string;
  /** The absolute URL of that document, for `resource_metadata` in challenges. */
  readonly metadataUrl?: string;
  /** Whether its routes need a token meant for it: otherwise any audience will do. */
  readonly restricts: boolean;
  private readonly checked = new Set<string>();

  constructor(
    /** Its name in `protectedResources`; undefined for the root resource. */
    readonly name: string | undefined,
    /** The option that configures it (`protectedResource`, `protectedResources.mcp`), for messages. */
    readonly optionPath: string,
    readonly options: ProtectedResourceOptions | undefined,
    metadataPath: string | undefined,
    /** The audiences that open it; null: any the issuers accept, except `foreign`. */
    readonly audiences: ReadonlySet<string> | null,
    /** The other resources' audiences, refused here when the token has no other. */
    readonly foreign: ReadonlySet<string>,
  ) {
    this.restricts = audiences !== null || foreign.size > 0;
    if (options && metadataPath !== undefined) {
      this.metadataPath = metadataPath;
      this.metadataUrl = protectedResourceMetadataUrl(options.resource);
    }
  }

  /**
   * Whether a token with these audiences is meant for this resource. A token without any audience
   * (an issuer with `audience: false`) is for no resource in particular, so only a resource that
   * names its audiences refuses it.
   */
  get checkedScopes(): readonly string[] {
    return [...this.checked];
  }

  /** At startup only: see `checkedScopes`. */
  addScopes(scopes: readonly string[]): void {
    for (const scope of scopes) this.checked.add(scope);
  }

  admits(audience: readonly string[]): boolean {
    if (this.audiences) return audience.some((aud) => this.audiences!.has(aud));
    if (this.foreign.size === 0 || audience.length === 0) return true;
    return audience.some((aud) => !this.foreign.has(aud));
  }
}
