import { type INestApplicationContext, RequestMethod, type Type } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { OidcAuthGuard } from '../guard/oidc-auth.guard.js';
import { type RoutePolicy, RoutePolicyReader } from '../policy/route-policy.js';

/** One HTTP route of an application and the policy the guard applies to it. */
export interface RouteEntry {
  method: string;
  /** Express-style path (`/notes/:id`), without any global prefix. */
  path: string;
  controller: string;
  handler: string;
  policy: RoutePolicy;
  /** `@UseGuards(OidcAuthGuard)` on the handler or its controller. */
  guardedExplicitly: boolean;
}

function joinPath(...parts: string[]): string {
  const joined = parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/');
  return `/${joined}`;
}

function paths(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return [typeof value === 'string' ? value : '/'];
}

/**
 * Every route of the application with its effective policy, read from the same metadata and by
 * the same reader as the guard, for documentation, audits and snapshot tests.
 */
export function routeTable(app: INestApplicationContext): RouteEntry[] {
  return collectRoutes(app.get(ModulesContainer), app.get(RoutePolicyReader), OidcAuthGuard);
}

/** `routeTable` for code that has the container injected rather than the application. */
function usesGuard(target: object, guard: unknown): boolean {
  const guards: unknown[] = Reflect.getMetadata(GUARDS_METADATA, target) ?? [];
  return guard !== undefined && guards.includes(guard);
}

export function collectRoutes(
  modules: ModulesContainer,
  reader: RoutePolicyReader,
  guard: unknown,
): RouteEntry[] {
  const scanner = new MetadataScanner();
  const routes: RouteEntry[] = [];
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      const prefixes = paths(Reflect.getMetadata(PATH_METADATA, controller));
      for (const name of scanner.getAllMethodNames(controller.prototype)) {
        const handler = controller.prototype[name];
        const routePath = Reflect.getMetadata(PATH_METADATA, handler);
        if (routePath === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) ?? 0];
        const policy = reader.for(controller, handler);
        const guardedExplicitly = usesGuard(handler, guard) || usesGuard(controller, guard);
        for (const prefix of prefixes) {
          for (const path of paths(routePath)) {
            routes.push({
              method,
              path: joinPath(prefix, path),
              controller: controller.name,
              handler: name,
              policy,
              guardedExplicitly,
            });
          }
        }
      }
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}
