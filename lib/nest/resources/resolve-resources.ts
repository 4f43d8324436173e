import {
  InvalidResourceError,
  protectedResourceMetadataPath,
} from '../../protocol/metadata/resource-metadata.js';
import { OidcAuthConfigError } from '../../core/config/config-error.js';
import type { TrustedIssuer } from '../../core/issuers/trusted-issuer.js';
import type { OidcAuthModuleOptions } from '../options/oidc-auth.options.js';
import type { ProtectedResourceOptions } from '../options/protected-resource.options.js';
import { ProtectedResourceEntry } from './protected-resource-entry.js';

/** The root resource and the named ones, checked against each other and the trusted issuers. */
export interface ResolvedResources {
  root: ProtectedResourceEntry;
  named: ReadonlyMap<string, ProtectedResourceEntry>;
}

interface Declared {
  path: string;
  options: ProtectedResourceOptions;
  metadataPath: string;
  /** As configured, or a named resource's default; null for a root resource without `audience`. */
  audiences: readonly string[] | null;
}

const list = (values: readonly string[]) => values.join(', ') || 'none';

function metadataPathOf(path: string, resource: unknown): string {
  try {
    return protectedResourceMetadataPath(String(resource));
  } catch (err) {
    if (err instanceof InvalidResourceError)
      throw new OidcAuthConfigError(`${path}.resource`, err.message);
    throw err;
  }
}

function audiencesOf(
  path: string,
  options: ProtectedResourceOptions,
  named: boolean,
): readonly string[] | null {
  const { audience } = options;
  if (audience === undefined) return named ? [options.resource] : null;
  const values = typeof audience === 'string' ? [audience] : audience;
  if (
    !Array.isArray(values) ||
    values.length === 0 ||
    values.some((v) => typeof v !== 'string' || v === '')
  ) {
    throw new OidcAuthConfigError(
      `${path}.audience`,
      'must be a non-empty string or a non-empty list of them',
    );
  }
  return [...values];
}

// RFC 6750 §3 scope-token: what a challenge's `scope` can carry.
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

function checkScopes(path: string, scopes: unknown): void {
  if (scopes === undefined) return;
  if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string' || !SCOPE_TOKEN.test(s))) {
    throw new OidcAuthConfigError(
      `${path}.scopes`,
      'must be a list of scopes, each printable ASCII without spaces, quotes or backslashes (RFC 6750 §3)',
    );
  }
}

function declare(path: string, options: ProtectedResourceOptions, named: boolean): Declared {
  if (typeof options !== 'object' || options === null) {
    throw new OidcAuthConfigError(path, 'must be an object with a resource URL');
  }
  checkScopes(path, options.scopes);
  return {
    path,
    options,
    metadataPath: metadataPathOf(path, options.resource),
    audiences: audiencesOf(path, options, named),
  };
}

// Two documents at one address, or one audience opening two resources (a confused deputy: a token
// a client got for one resource spent at another): either makes one resource answer for another.
function checkDistinct(declared: readonly Declared[]): void {
  declared.forEach((one, i) => {
    for (const other of declared.slice(0, i)) {
      if (other.metadataPath === one.metadataPath) {
        throw new OidcAuthConfigError(
          `${one.path}.resource`,
          `is ${one.options.resource}, whose metadata document (${one.metadataPath}) is ${other.path}'s too: give each resource its own path`,
        );
      }
      const shared = one.audiences?.find((aud) => other.audiences?.includes(aud));
      if (shared !== undefined) {
        throw new OidcAuthConfigError(
          `${one.path}.audience`,
          `has ${shared}, an audience of ${other.path} too: a token for one would open the other`,
        );
      }
    }
  });
}

// RFC 8707: a client asks for a token for the advertised `resource`, and gets one whose audience
// is that resource. A resource that refuses such a token can never be used by a client that follows
// the specifications.
function checkAdvertised(
  entry: ProtectedResourceEntry,
  options: ProtectedResourceOptions,
  issuers: readonly TrustedIssuer[],
  resolvesIssuers: boolean,
): void {
  const { resource } = options;
  const path = `${entry.optionPath}.resource`;
  if (!entry.admits([resource])) {
    throw new OidcAuthConfigError(
      path,
      entry.audiences
        ? `is ${resource}, which is not among the audiences its routes accept (${entry.optionPath}.audience: ${list([...entry.audiences])}): tokens issued for the advertised resource would be refused`
        : `is ${resource}, an audience of another protected resource: tokens issued for the advertised resource would be refused`,
    );
  }
  // Issuers the resolver approves later may accept it; nothing to check them against yet.
  if (resolvesIssuers) return;
  if (issuers.some((issuer) => issuer.audiences === null || issuer.audiences.has(resource))) return;
  const accepted = [...new Set(issuers.flatMap((issuer) => [...(issuer.audiences ?? [])]))];
  throw new OidcAuthConfigError(
    path,
    `is ${resource}, which no trusted issuer accepts as an audience (issuers[].audience: ${list(accepted)}): tokens issued for the advertised resource would be refused. Add it to the issuer's audience, or advertise an audience the issuers accept`,
  );
}

/**
 * Resolves `protectedResource` and `protectedResources`, or stops the application with the option
 * at fault: a resource that is not a URL, two resources sharing a metadata document or an
 * audience, an advertised `resource` that its own routes or the trusted issuers would refuse.
 */
export function resolveResources(
  options: Pick<
    OidcAuthModuleOptions,
    'protectedResource' | 'protectedResources' | 'issuerResolver'
  >,
  issuers: readonly TrustedIssuer[],
): ResolvedResources {
  const root =
    options.protectedResource && declare('protectedResource', options.protectedResource, false);
  const named = Object.entries(options.protectedResources ?? {}).map(
    ([name, resource]) => [name, declare(`protectedResources.${name}`, resource, true)] as const,
  );
  checkDistinct([...(root ? [root] : []), ...named.map(([, declared]) => declared)]);
  const namedAudiences = new Set(named.flatMap(([, declared]) => declared.audiences ?? []));
  const entry = (name: string | undefined, declared: Declared | undefined) =>
    new ProtectedResourceEntry(
      name,
      declared?.path ?? 'protectedResource',
      declared?.options,
      declared?.metadataPath,
      declared?.audiences ? new Set(declared.audiences) : null,
      declared?.audiences ? new Set() : namedAudiences,
    );
  const resolved: ResolvedResources = {
    root: entry(undefined, root),
    named: new Map(named.map(([name, declared]) => [name, entry(name, declared)])),
  };
  for (const one of [resolved.root, ...resolved.named.values()]) {
    if (one.options)
      checkAdvertised(one, one.options, issuers, options.issuerResolver !== undefined);
  }
  return resolved;
}
