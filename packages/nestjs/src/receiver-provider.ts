import { createKlingReceiver, KlingConfigError, type KlingReceiver } from '@kling-webhooks/core';
import type { FactoryProvider } from '@nestjs/common';
import { nestKlingLogger } from './logger.js';
import { KLING_MODULE_OPTIONS } from './module-definition.js';
import type { KlingModuleOptions } from './options.js';
import { KLING_RECEIVER } from './tokens.js';

/** Builds the module's receiver from its options; bad options fail the application's start-up. */
export const klingReceiverProvider: FactoryProvider<KlingReceiver> = {
  provide: KLING_RECEIVER,
  inject: [KLING_MODULE_OPTIONS],
  useFactory: ({ path, useGlobalPrefix: _useGlobalPrefix, worker, ...options }: KlingModuleOptions): KlingReceiver => {
    if (typeof path !== 'string' || !path.startsWith('/')) {
      throw new KlingConfigError('KlingModule needs a `path` starting with "/", e.g. "/webhooks/kling"');
    }
    if (worker !== undefined && typeof worker !== 'function') {
      throw new KlingConfigError(
        'KlingModule: `worker` must be a function of the receiver, e.g. klingWorker({ connection })',
      );
    }
    if (worker !== undefined && options.queue === undefined) {
      throw new KlingConfigError('KlingModule: `worker` needs `queue` (the worker runs what the queue stores)');
    }
    return createKlingReceiver({ ...options, logger: options.logger ?? nestKlingLogger() });
  },
};
