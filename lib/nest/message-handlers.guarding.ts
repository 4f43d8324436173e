import { Inject, Injectable, UseGuards } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService } from '@nestjs/core';
import { OidcAuthGuard } from './oidc-auth.guard.js';
import { OIDC_AUTH_GLOBAL_GUARD } from './oidc-auth.options.js';

// Keys of @nestjs/microservices and @nestjs/websockets, read without importing those optional peers.
const PATTERN_METADATA = 'microservices:pattern';
const GATEWAY_METADATA = 'websockets:is_gateway';
const MESSAGE_MAPPING_METADATA = 'websockets:message_mapping';

type Handler = (...args: unknown[]) => unknown;

/**
 * Binds the guard to every `@MessagePattern`/`@EventPattern` and `@SubscribeMessage` handler itself.
 * Nest applies global guards (APP_GUARD) to a hybrid application's microservice only with
 * `inheritAppConfig: true`, and Nest 11 never applies them to gateways; without this, those
 * handlers would run unauthenticated, so the global guard would fail open. Where Nest does apply
 * the global guard too, its second run finds the call already authenticated and only re-checks the
 * policy. Runs while providers are instantiated, before any microservice or gateway binds handlers.
 */
@Injectable()
export class MessageHandlersGuarding {
  constructor(discovery: DiscoveryService, @Inject(OIDC_AUTH_GLOBAL_GUARD) isGlobal: boolean) {
    if (!isGlobal) return;
    for (const wrapper of discovery.getControllers()) {
      const prototype = (wrapper.metatype as { prototype?: object } | null)?.prototype;
      if (prototype) guardHandlers(prototype, PATTERN_METADATA);
    }
    for (const wrapper of discovery.getProviders()) {
      const metatype = wrapper.metatype as { prototype?: object } | null;
      if (metatype?.prototype && Reflect.getMetadata(GATEWAY_METADATA, metatype)) {
        guardHandlers(metatype.prototype, MESSAGE_MAPPING_METADATA);
      }
    }
  }
}

function guardHandlers(prototype: object, handlerMetadata: string): void {
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
    const handler = descriptor?.value as Handler | undefined;
    if (typeof handler !== 'function' || !Reflect.getMetadata(handlerMetadata, handler)) continue;
    const guards = (Reflect.getMetadata(GUARDS_METADATA, handler) as unknown[] | undefined) ?? [];
    if (!guards.includes(OidcAuthGuard)) UseGuards(OidcAuthGuard)(prototype, name, descriptor!);
  }
}
