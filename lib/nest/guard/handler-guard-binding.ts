import { UseGuards } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { OidcAuthGuard } from './oidc-auth.guard.js';

type Handler = (...args: unknown[]) => unknown;

/** The guards bound to a handler or a class with `@UseGuards`, in the order they run. */
export function guardsOf(target: object): unknown[] {
  return (Reflect.getMetadata(GUARDS_METADATA, target) as unknown[] | undefined) ?? [];
}

/**
 * Appends `OidcAuthGuard` to handlers once Nest has scanned the application, for the module to
 * guard what the application left unguarded.
 *
 * Nest looks a handler's guard class up among the injectables it collected for the handler's
 * module when it scanned the decorators, which happened before; finding none, it drops the guard
 * without a word. So the module's own guard is also registered in that module. The metadata holds
 * the class, not this application's instance: the prototype is shared by every application built
 * from the class (tests build many), and each must run its own guard.
 */
export class HandlerGuardBinding {
  private readonly guardWrapper: InstanceWrapper | undefined;

  constructor(discovery: DiscoveryService, guard: OidcAuthGuard) {
    this.guardWrapper = discovery
      .getProviders()
      .find((wrapper) => wrapper.token === OidcAuthGuard && wrapper.instance === guard);
  }

  /** Binds the guard to `name` of the class `host` holds (inherited methods too), once. */
  bind(host: InstanceWrapper, prototype: object, name: string, handler: Handler): void {
    if (!guardsOf(handler).includes(OidcAuthGuard)) {
      UseGuards(OidcAuthGuard)(prototype, name, { value: handler });
    }
    const injectables = host.host?.injectables;
    if (this.guardWrapper && injectables && !injectables.has(OidcAuthGuard)) {
      injectables.set(OidcAuthGuard, this.guardWrapper);
    }
  }
}
