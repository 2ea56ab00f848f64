import type { KlingHandlerEvent, KlingHandlerStatus } from '@kling-webhooks/core';
import { SetMetadata } from '@nestjs/common';

/**
 * Metadata key of the statuses a method handles. A string, not a symbol, so that decorators from the CommonJS build
 * and discovery from the ESM build (or the reverse) still agree.
 */
export const KLING_HANDLER_METADATA = 'kling-webhooks:handler-statuses';

/** A method that can handle events of status `S`: it must accept `KlingHandlerEvent<S>`. */
export type KlingHandlerMethod<S extends KlingHandlerStatus> = (event: KlingHandlerEvent<S>) => unknown;

/** A method decorator whose method must accept the event of status `S`. */
export type KlingHandlerDecorator<S extends KlingHandlerStatus> = <M extends KlingHandlerMethod<S>>(
  target: object,
  key: string | symbol,
  descriptor: TypedPropertyDescriptor<M>,
) => void;

/**
 * Marks a provider (or controller) method as the handler of one status, or of every event with `'*'` (unknown
 * statuses included). Discovered at start-up and called with `this` bound to the provider instance. Several of these
 * decorators may sit on one method. Throwing fails the delivery (500), so Kling can deliver it again.
 */
export function OnKlingEvent<S extends KlingHandlerStatus>(status: S): KlingHandlerDecorator<S> {
  return (target, key, descriptor) => {
    const method = descriptor.value;
    const statuses = (method && handlerStatuses(method)) ?? [];
    SetMetadata(KLING_HANDLER_METADATA, [...statuses, status])(target, key, descriptor);
  };
}

/** Handles `succeed` events: the method gets a `KlingSucceededEvent` (`videos`, `images`, `audios`). */
export const OnKlingSucceeded = (): KlingHandlerDecorator<'succeed'> => OnKlingEvent('succeed');

/** Handles `failed` events: the method gets a `KlingFailedEvent` (`message` says why). */
export const OnKlingFailed = (): KlingHandlerDecorator<'failed'> => OnKlingEvent('failed');

/** The statuses a method was decorated for, or `undefined` when it was not. */
export function handlerStatuses(method: object): KlingHandlerStatus[] | undefined {
  return Reflect.getMetadata(KLING_HANDLER_METADATA, method);
}
