import { type INestApplicationContext, RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { type RoutePolicy, RoutePolicyReader } from './route-policy.js';

/** One HTTP route of an application and the policy the guard applies to it. */
export interface RouteEntry {
  method: string;
  /** Express-style path (`/notes/:id`), without any global prefix. */
  path: string;
  controller: string;
  handler: string;
  policy: RoutePolicy;
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
  return collectRoutes(app.get(ModulesContainer), app.get(RoutePolicyReader));
}

/** `routeTable` for code that has the container injected rather than the application. */
export function collectRoutes(modules: ModulesContainer, reader: RoutePolicyReader): RouteEntry[] {
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
        for (const prefix of prefixes) {
          for (const path of paths(routePath)) {
            routes.push({
              method,
              path: joinPath(prefix, path),
              controller: controller.name,
              handler: name,
              policy,
            });
          }
        }
      }
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}
