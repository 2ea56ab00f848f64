/**
 * @kling-webhooks/nestjs — a NestJS module for Kling AI task callbacks, on the Express and Fastify platforms.
 * @packageDocumentation
 */
export type { KlingHandlerDecorator, KlingHandlerMethod } from './decorators.js';
export { OnKlingEvent, OnKlingFailed, OnKlingSucceeded } from './decorators.js';
export { KlingModule } from './kling.module.js';
export { KLING_LOGGER_CONTEXT, nestKlingLogger } from './logger.js';
export type { KlingModuleAsyncOptions, KlingModuleForRootOptions } from './module-definition.js';
export { KLING_MODULE_OPTIONS } from './module-definition.js';
export type { KlingModuleOptions, KlingModuleWorker, KlingModuleWorkerFactory } from './options.js';
export { InjectKlingReceiver, KLING_RECEIVER } from './tokens.js';
