import { KlingConfigError, type KlingReceiver } from '@kling-webhooks/core';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import { KLING_MODULE_OPTIONS } from '../module-definition.js';
import type { KlingModuleOptions } from '../options.js';
import { KLING_RECEIVER } from '../tokens.js';
import { mountExpress } from './express.js';
import { mountFastify } from './fastify.js';
import { routePath } from './route-path.js';

/** Nest's own route log: the route is listed with the controllers' routes, in the same words. */
const routeLog = new Logger('RouterExplorer');

/**
 * Mounts the callback route on the app's HTTP platform (Express or Fastify) when the module initialises: after Nest
 * registered its parsers and routes, before its 404 handler.
 */
@Injectable()
export class KlingRouteMounter implements OnModuleInit {
  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(ApplicationConfig) private readonly config: ApplicationConfig,
    @Inject(KLING_MODULE_OPTIONS) private readonly options: KlingModuleOptions,
    @Inject(KLING_RECEIVER) private readonly receiver: KlingReceiver,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    const path = routePath(this.options.path, this.config, this.options.useGlobalPrefix ?? true);
    const logger = this.receiver.options.logger;
    if (!adapter) {
      // A standalone application context: the receiver still serves `process(event)`.
      logger.info(`no HTTP server: ${path} is not mounted`);
      return;
    }
    const platform = adapter.getType();
    if (platform === 'express') mountExpress(adapter.getInstance(), path, this.receiver);
    else if (platform === 'fastify') mountFastify(adapter.getInstance(), path, this.receiver);
    else throw new KlingConfigError(`KlingModule supports the express and fastify platforms, not ${platform}`);
    routeLog.log(`Mapped {${path}, ALL} route (Kling callbacks, ${platform})`);
  }
}
