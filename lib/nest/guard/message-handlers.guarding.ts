import { Inject, Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { HandlerGuardBinding } from './handler-guard-binding.js';
import { OidcAuthGuard } from './oidc-auth.guard.js';
import { OIDC_AUTH_GLOBAL_GUARD } from '../options/oidc-auth.options.js';

// Keys of @nestjs/microservices and @nestjs/websockets, read without importing those optional peers.
const PATTERN_METADATA = 'microservices:pattern';
const GATEWAY_METADATA = 'websockets:is_gateway';
const MESSAGE_MAPPING_METADATA = 'websockets:message_mapping';

/**
 * Binds the guard to every `@MessagePattern`/`@EventPattern` and `@SubscribeMessage` handler itself,
 * inherited ones included (Nest binds those too). Nest applies global guards (APP_GUARD) to a
 * hybrid application's microservice only with `inheritAppConfig: true`, and Nest 11 never applies
 * them to gateways; without this, those handlers would run unauthenticated, so the global guard
 * would fail open. Where Nest does apply the global guard too, its second run finds the call
 * already decided and only re-checks the policy. Runs while providers are instantiated, before any
 * microservice or gateway binds handlers.
 */
@Injectable()
export class MessageHandlersGuarding {
  constructor(
    discovery: DiscoveryService,
    @Inject(OIDC_AUTH_GLOBAL_GUARD) isGlobal: boolean,
    guard: OidcAuthGuard,
  ) {
    if (!isGlobal) return;
    const binding = new HandlerGuardBinding(discovery, guard);
    const scanner = new MetadataScanner();
    const guardHandlers = (wrapper: InstanceWrapper, handlerMetadata: string): void => {
      const prototype = (wrapper.metatype as { prototype?: object } | null)?.prototype;
      if (!prototype) return;
      for (const name of scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[name];
        if (typeof handler === 'function' && Reflect.getMetadata(handlerMetadata, handler)) {
          binding.bind(wrapper, prototype, name, handler as (...args: unknown[]) => unknown);
        }
      }
    };
    for (const wrapper of discovery.getControllers()) guardHandlers(wrapper, PATTERN_METADATA);
    for (const wrapper of discovery.getProviders()) {
      if (wrapper.metatype && Reflect.getMetadata(GATEWAY_METADATA, wrapper.metatype)) {
        guardHandlers(wrapper, MESSAGE_MAPPING_METADATA);
      }
    }
  }
}
