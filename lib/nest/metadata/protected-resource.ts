import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { TokenVerifier } from '../../core/jwt/token-verifier.js';
import { dpopAlgorithmsOf } from '../options/dpop.options.js';
import { OIDC_AUTH_OPTIONS, type OidcAuthModuleOptions } from '../options/oidc-auth.options.js';
import { RoutePolicyReader } from '../policy/route-policy.js';
import type { ProtectedResourceEntry } from '../resources/protected-resource-entry.js';
import { ProtectedResources } from '../resources/protected-resources.js';
import { collectRoutes } from './route-table.js';

// RFC 9728 §2: the DPoP algorithms taken, and whether every route requires DPoP.
function dpopMetadata(options: OidcAuthModuleOptions): Record<string, unknown> {
  const algorithms = dpopAlgorithmsOf(options.dpop);
  if (!algorithms) return {};
  return {
    dpop_signing_alg_values_supported: algorithms,
    ...(options.dpop?.mode === 'required' && { dpop_bound_access_tokens_required: true }),
  };
}

/**
 * Serves the OAuth 2.0 Protected Resource Metadata document (RFC 9728) of each protected resource,
 * at its own address (§3.1), so clients (MCP clients among them) learn which authorization servers
 * issue tokens for it and which scopes exist. The scopes come from the `@Scopes()`/`@AnyScope()` of
 * the resource's routes, its `scopes` option and the scopes its routes check themselves (an MCP
 * endpoint's tools), the servers from the trusted issuers.
 */
@Injectable()
export class ProtectedResourceMetadata implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly modules: ModulesContainer,
    private readonly policies: RoutePolicyReader,
    private readonly verifier: TokenVerifier,
    private readonly resources: ProtectedResources,
    @Inject(OIDC_AUTH_OPTIONS) private readonly options: OidcAuthModuleOptions,
  ) {}

  document(resource: ProtectedResourceEntry): Record<string, unknown> {
    const config = resource.options!;
    const scopes = collectRoutes(this.modules, this.policies, undefined)
      .filter((route) => route.policy.resource === resource)
      .flatMap((route) => route.policy.scopes.flat());
    const servers =
      config.authorizationServers ??
      this.verifier.issuers.filter((i) => !i.isTemplate).map((i) => i.issuer);
    return {
      resource: config.resource,
      authorization_servers: servers,
      scopes_supported: [
        ...new Set([...scopes, ...(config.scopes ?? []), ...resource.checkedScopes]),
      ].sort(),
      bearer_methods_supported: this.options.allowQueryToken ? ['header', 'query'] : ['header'],
      ...(config.resourceName ? { resource_name: config.resourceName } : {}),
      ...dpopMetadata(this.options),
    };
  }

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) return;
    // Registered on the HTTP adapter rather than as controllers: they exist only when enabled and
    // stay out of route tables and OpenAPI documents.
    for (const resource of this.resources.published) {
      adapter.get(resource.metadataPath!, (_req: unknown, res: unknown) => {
        adapter.setHeader(res, 'Cache-Control', 'max-age=300');
        adapter.reply(res, this.document(resource), 200);
      });
    }
  }
}
