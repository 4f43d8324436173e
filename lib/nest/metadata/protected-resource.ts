import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import {
  InvalidResourceError,
  protectedResourceMetadataPath,
} from '../../protocol/metadata/resource-metadata.js';
import { OidcAuthConfigError } from '../../core/config/config-error.js';
import { TokenVerifier } from '../../core/jwt/token-verifier.js';
import { dpopAlgorithmsOf } from '../options/dpop.options.js';
import { OIDC_AUTH_OPTIONS, type OidcAuthModuleOptions } from '../options/oidc-auth.options.js';
import { RoutePolicyReader } from '../policy/route-policy.js';
import { collectRoutes } from './route-table.js';

/**
 * Serves the OAuth 2.0 Protected Resource Metadata document (RFC 9728), so clients (MCP clients
 * among them) learn which authorization servers issue tokens for this API and which scopes exist.
 * The scopes come from the routes' `@Scopes()`/`@AnyScope()`, the servers from the trusted issuers.
 */
/** The metadata path, or the startup error naming the option. */
export function metadataPath(resource: string): string {
  try {
    return protectedResourceMetadataPath(resource);
  } catch (err) {
    if (err instanceof InvalidResourceError) {
      throw new OidcAuthConfigError('protectedResource.resource', err.message);
    }
    throw err;
  }
}

// RFC 9728 §2: the DPoP algorithms taken, and whether every route requires DPoP.
function dpopMetadata(options: OidcAuthModuleOptions): Record<string, unknown> {
  const algorithms = dpopAlgorithmsOf(options.dpop);
  if (!algorithms) return {};
  return {
    dpop_signing_alg_values_supported: algorithms,
    ...(options.dpop?.mode === 'required' && { dpop_bound_access_tokens_required: true }),
  };
}

@Injectable()
export class ProtectedResourceMetadata implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly modules: ModulesContainer,
    private readonly policies: RoutePolicyReader,
    private readonly verifier: TokenVerifier,
    @Inject(OIDC_AUTH_OPTIONS) private readonly options: OidcAuthModuleOptions,
  ) {}

  document(): Record<string, unknown> {
    const config = this.options.protectedResource!;
    const scopes = collectRoutes(this.modules, this.policies, undefined).flatMap((r) =>
      r.policy.scopes.flat(),
    );
    const servers =
      config.authorizationServers ??
      this.verifier.issuers.filter((i) => !i.isTemplate).map((i) => i.issuer);
    return {
      resource: config.resource,
      authorization_servers: servers,
      scopes_supported: [...new Set(scopes)].sort(),
      bearer_methods_supported: this.options.allowQueryToken ? ['header', 'query'] : ['header'],
      ...(config.resourceName ? { resource_name: config.resourceName } : {}),
      ...dpopMetadata(this.options),
    };
  }

  onModuleInit(): void {
    const config = this.options.protectedResource;
    const adapter = this.adapterHost.httpAdapter;
    if (!config || !adapter) return;
    // Registered on the HTTP adapter rather than as a controller: it exists only when enabled and
    // stays out of route tables and OpenAPI documents.
    adapter.get(metadataPath(config.resource), (_req: unknown, res: unknown) => {
      adapter.setHeader(res, 'Cache-Control', 'max-age=300');
      adapter.reply(res, this.document(), 200);
    });
  }
}
