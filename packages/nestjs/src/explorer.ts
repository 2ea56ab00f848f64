import type { KlingHandler, KlingHandlerStatus, KlingReceiver } from '@kling-webhooks/core';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { handlerStatuses } from './decorators.js';
import { KLING_RECEIVER } from './tokens.js';

/**
 * Finds the methods decorated with `@OnKlingEvent` (and its shorthands) on every provider and controller at start-up
 * and subscribes them to the receiver, `this` bound to their instance.
 */
@Injectable()
export class KlingHandlerExplorer implements OnModuleInit {
  // Explicit tokens: the published build (esbuild) emits no decorator metadata.
  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(KLING_RECEIVER) private readonly receiver: KlingReceiver,
  ) {}

  onModuleInit(): void {
    const seen = new Set<object>();
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const instance: unknown = wrapper.instance;
      // An alias (useExisting) or a value provided twice is the same object: subscribe it once.
      if (wrapper.isAlias || typeof instance !== 'object' || instance === null || seen.has(instance)) continue;
      seen.add(instance);
      const handlers = this.decoratedMethods(instance);
      if (handlers.length === 0) continue;
      // A request-scoped provider has no instance outside a request; a transient one has one per consumer, and the
      // static instance discovery sees is none of those.
      if (wrapper.isTransient || !wrapper.isDependencyTreeStatic()) {
        this.receiver.options.logger.warn(
          `${String(wrapper.name)} is request-scoped or transient: its Kling handlers are not subscribed (make it a singleton)`,
        );
        continue;
      }
      for (const [status, handler] of handlers) this.receiver.on(status, handler);
    }
  }

  private decoratedMethods(instance: object): [KlingHandlerStatus, KlingHandler<KlingHandlerStatus>][] {
    return this.scanner.getAllMethodNames(Object.getPrototypeOf(instance)).flatMap((name) => {
      const method: unknown = Reflect.get(instance, name);
      const statuses = typeof method === 'function' ? handlerStatuses(method) : undefined;
      if (typeof method !== 'function' || !statuses) return [];
      // Called as it is, not wrapped in an async function: a method that returns nothing stays synchronous, and the
      // receiver answers without arming an ack-budget timer; a returned promise is awaited by the receiver.
      const handler: KlingHandler<KlingHandlerStatus> = (event) => method.call(instance, event) as void | Promise<void>;
      return statuses.map((status): [KlingHandlerStatus, KlingHandler<KlingHandlerStatus>] => [status, handler]);
    });
  }
}
