import { Inject, Injectable, UseGuards } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService } from '@nestjs/core';
import { OidcAuthGuard } from './oidc-auth.guard.js';
import { OIDC_AUTH_GLOBAL_GUARD } from './oidc-auth.options.js';

// @nestjs/microservices' key, read without importing that optional peer.
const PATTERN_METADATA = 'microservices:pattern';

type Handler = (...args: unknown[]) => unknown;

/**
 * Binds the guard to every `@MessagePattern`/`@EventPattern` handler itself. Nest applies global
 * guards (APP_GUARD) to a hybrid application's microservice only with `inheritAppConfig: true`;
 * without it those handlers would run unauthenticated, so the global guard would fail open.
 * Runs while providers are instantiated, before any microservice binds its handlers.
 */
@Injectable()
export class MessageHandlersGuarding {
  constructor(discovery: DiscoveryService, @Inject(OIDC_AUTH_GLOBAL_GUARD) isGlobal: boolean) {
    if (!isGlobal) return;
    for (const wrapper of discovery.getControllers()) {
      const prototype = (wrapper.metatype as { prototype?: object } | null)?.prototype;
      if (prototype) guardMessageHandlers(prototype);
    }
  }
}

function guardMessageHandlers(prototype: object): void {
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
    const handler = descriptor?.value as Handler | undefined;
    if (typeof handler !== 'function' || !Reflect.getMetadata(PATTERN_METADATA, handler)) continue;
    const guards = (Reflect.getMetadata(GUARDS_METADATA, handler) as unknown[] | undefined) ?? [];
    if (!guards.includes(OidcAuthGuard)) UseGuards(OidcAuthGuard)(prototype, name, descriptor!);
  }
}
