import { type INestApplicationContext } from '@nestjs/common';
import {
  openApiAuthentication,
  type OpenApiAuthentication,
} from '../policy/authentication-requirement.js';
import { annotateAuthorization, type AuthorizationExtensions } from './openapi-authorization.js';
import { routeTable } from './route-table.js';

/** The part of an OpenAPI 3 document this helper reads and writes. */
interface OpenApiDocument {
  paths: object;
}

type Operation = AuthorizationExtensions & {
  security?: Record<string, string[]>[];
  'x-authentication-requirement'?: OpenApiAuthentication;
};

export interface OpenApiSecurityOptions {
  /** Name of the security scheme declared in the document (e.g. with `DocumentBuilder.addOAuth2`). */
  scheme: string;
  /** The application's global prefix, if it has one. */
  globalPrefix?: string;
}

// OpenAPI lists alternatives as separate requirement objects, each needing all its scopes, so
// "a and (b or c)" becomes [a, b] or [a, c].
function alternatives(groups: readonly (readonly string[])[]): string[][] {
  return groups.reduce<string[][]>(
    (acc, group) => acc.flatMap((combo) => group.map((scope) => [...new Set([...combo, scope])])),
    [[]],
  );
}

/**
 * Marks every protected operation of an OpenAPI document with the scheme and the scopes its
 * `@Scopes()`/`@AnyScope()` require, so the document cannot disagree with what the guard enforces,
 * and with what OpenAPI has no words for: `x-oidc-policies`, `x-oidc-issuers`, and
 * `x-authentication-requirement` holding the RFC 9470 challenge parameters (`acr_values`,
 * `max_age`) a client must obtain a token for (`@RequireAuthentication()`).
 * Public operations get no security requirement.
 */
export function addOpenApiSecurity<T extends OpenApiDocument>(
  document: T,
  app: INestApplicationContext,
  options: OpenApiSecurityOptions,
): T {
  const prefix = options.globalPrefix ? `/${options.globalPrefix.replace(/^\/+|\/+$/g, '')}` : '';
  for (const route of routeTable(app)) {
    const path = `${prefix}${route.path}`.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const item = (document.paths as Record<string, Record<string, Operation> | undefined>)[path];
    const operation = item?.[route.method.toLowerCase()];
    if (!operation) continue;
    operation.security = route.policy.isPublic
      ? []
      : alternatives(route.policy.scopes).map((scopes) => ({ [options.scheme]: scopes }));
    if (route.policy.isPublic) continue;
    annotateAuthorization(operation, route.policy);
    if (route.policy.authentication) {
      operation['x-authentication-requirement'] = openApiAuthentication(
        route.policy.authentication,
      );
    }
  }
  return document;
}
