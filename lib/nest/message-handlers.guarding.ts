import { Inject, Injectable, UseGuards } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { OidcAuthGuard } from './oidc-auth.guard.js';
import { OIDC_AUTH_GLOBAL_GUARD } from './oidc-auth.options.js';

// Keys of @nestjs/microservices and @nestjs/websockets, read without importing those optional peers.
const PATTERN_METADATA = 'microservices:pattern';
const GATEWAY_METADATA = 'websockets:is_gateway';
const MESSAGE_MAPPING_METADATA = 'websockets:message_mapping';

/**
 * Binds the guard to every `@MessagePattern`/`@EventPattern` and `@SubscribeMessage` handler itself.
 * Nest applies global guards (APP_GUARD) to a hybrid application's microservice only with
 * `inheritAppConfig: true`, and Nest 11 never applies them to gateways; without this, those
 * handlers would run unauthenticated, so the global guard would fail open. Where Nest does apply
 * the global guard too, its second run finds the call already decided and only re-checks the
 * policy. Runs while providers are instantiated, before any microservice or gateway binds handlers.
 */
@Injectable()
export class MessageHandlersGuarding {
  constructor(
    discovery: DiscoveryService,
    @Inject(OIDC_AUTH_GLOBAL_GUARD) isGlobal: boolean,
    guard: OidcAuthGuard,
  ) {
    if (!isGlobal) return;
    const guardWrapper = discovery
      .getProviders()
      .find((wrapper) => wrapper.token === OidcAuthGuard && wrapper.instance === guard);
    const bindTo = (wrapper: InstanceWrapper, handlerMetadata: string): void => {
      const prototype = (wrapper.metatype as { prototype?: object } | null)?.prototype;
      if (!prototype || !guardHandlers(prototype, handlerMetadata)) return;
      // Nest looks a handler's guard class up among the injectables it found in the handler's
      // module when it scanned the decorators. It scanned before this ran, so it would find none
      // and silently drop the guard: hand it this module's guard instead.
      const injectables = wrapper.host?.injectables;
      if (guardWrapper && injectables && !injectables.has(OidcAuthGuard)) {
        injectables.set(OidcAuthGuard, guardWrapper);
      }
    };
    for (const wrapper of discovery.getControllers()) bindTo(wrapper, PATTERN_METADATA);
    for (const wrapper of discovery.getProviders()) {
      if (wrapper.metatype && Reflect.getMetadata(GATEWAY_METADATA, wrapper.metatype)) {
        bindTo(wrapper, MESSAGE_MAPPING_METADATA);
      }
    }
  }
}

/**
 * Adds the guard class to the handlers' metadata, inherited handlers included (Nest binds those
 * too). A class, not this application's instance: the prototype is shared by every application
 * built from the class (tests build many), and each must run its own guard. Whether the class has
 * any such handler.
 */
function guardHandlers(prototype: object, handlerMetadata: string): boolean {
  let found = false;
  for (const name of new MetadataScanner().getAllMethodNames(prototype)) {
    const handler = (prototype as Record<string, unknown>)[name];
    if (typeof handler !== 'function' || !Reflect.getMetadata(handlerMetadata, handler)) continue;
    found = true;
    const guards = (Reflect.getMetadata(GUARDS_METADATA, handler) as unknown[] | undefined) ?? [];
    if (guards.includes(OidcAuthGuard)) continue;
    UseGuards(OidcAuthGuard)(prototype, name, { value: handler });
  }
  return found;
}
