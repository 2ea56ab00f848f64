import type { KlingReceiver } from '@kling-webhooks/core';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { KLING_MODULE_OPTIONS } from './module-definition.js';
import type { KlingModuleOptions, KlingModuleWorker } from './options.js';
import { KLING_RECEIVER } from './tokens.js';

/**
 * Runs the module's queue worker, when `worker` is configured: started at application bootstrap (after every module's
 * `onModuleInit`, so the decorated handlers are subscribed before the first job), closed when the module is destroyed
 * (running jobs finish first).
 */
@Injectable()
export class KlingWorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private running: KlingModuleWorker | undefined;

  constructor(
    @Inject(KLING_MODULE_OPTIONS) private readonly options: KlingModuleOptions,
    @Inject(KLING_RECEIVER) private readonly receiver: KlingReceiver,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.worker !== undefined && this.running === undefined) {
      this.running = this.options.worker(this.receiver);
    }
  }

  async onModuleDestroy(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    await running?.close();
  }
}
