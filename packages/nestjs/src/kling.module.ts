import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { KlingHandlerExplorer } from './explorer.js';
import { KlingConfigurableModule } from './module-definition.js';
import { KlingRouteMounter } from './mount/index.js';
import { klingReceiverProvider } from './receiver-provider.js';
import { KLING_RECEIVER } from './tokens.js';
import { KlingWorkerHost } from './worker-host.js';

/**
 * Receives Kling callbacks in a Nest app. `KlingModule.forRoot({ path, verify, store, ... })` or
 * `KlingModule.forRootAsync({ imports, useFactory, inject })`; `isGlobal: true` exports the receiver everywhere.
 * Mounts the route at `path` on Express or Fastify and subscribes every `@OnKlingEvent` method.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [klingReceiverProvider, KlingHandlerExplorer, KlingRouteMounter, KlingWorkerHost],
  exports: [KLING_RECEIVER],
})
export class KlingModule extends KlingConfigurableModule {}
