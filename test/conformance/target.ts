import type {
  KlingEventQueue,
  KlingLogger,
  KlingReceiver,
  KlingStore,
  KlingTaskEvent,
  KlingVerifyOption,
} from '@kling-webhooks/core';

/** A handler of the suite: gets every event of its status. */
export type ConformanceHandler = (event: KlingTaskEvent) => unknown | Promise<unknown>;

/** The handlers an app under test registers, by status (`'*'`: every event). */
export interface ConformanceHandlers {
  submitted?: ConformanceHandler;
  processing?: ConformanceHandler;
  succeed?: ConformanceHandler;
  failed?: ConformanceHandler;
  '*'?: ConformanceHandler;
}

/** How to start an app under test. */
export interface ConformanceStartOptions {
  /** Path of the callback route. */
  path: string;
  verify: KlingVerifyOption;
  store?: KlingStore;
  ackTimeoutMs?: number;
  maxBodyBytes?: number;
  bodyTimeoutMs?: number;
  /** Where the receiver logs. Default: nowhere. */
  logger?: KlingLogger;
  handlers: ConformanceHandlers;
  /** Express-based targets mount `express.json()` for the whole app before the adapter. Others ignore it. */
  expressJsonFirst?: boolean;
  /** Nest targets create the app with `rawBody: true` (Nest's parsers keep the bytes). Others ignore it. */
  rawBody?: boolean;
  /** The receiver's queue (the "queued" variant): handlers then run in `worker`, not in the request. */
  queue?: KlingEventQueue;
  /**
   * Starts a queue worker on the app's receiver once its handlers are registered (Nest: the module's `worker`
   * option); the app closes it.
   */
  worker?: (receiver: KlingReceiver) => { close(): Promise<void> };
}

/** A started app, listening on 127.0.0.1. */
export interface ConformanceApp {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * One framework setup the suite runs against. `start` builds a real app with the adapter on `path` and, next to it,
 * a plain JSON route `POST /api/echo` answering the parsed JSON body, and listens on an ephemeral loopback port.
 */
export interface ConformanceTarget {
  name: string;
  start(options: ConformanceStartOptions): Promise<ConformanceApp>;
}

/** Registers the suite's handlers on a receiver (for targets whose adapter exposes one). */
export function registerHandlers(receiver: KlingReceiver, handlers: ConformanceHandlers): void {
  for (const status of ['submitted', 'processing', 'succeed', 'failed', '*'] as const) {
    const handler = handlers[status];
    if (handler !== undefined) {
      receiver.on(status, async (event: KlingTaskEvent) => {
        await handler(event);
      });
    }
  }
}

/** The receiver options every target passes through as given (each adds its path and its default logger). */
export function receiverOptionsOf(
  options: ConformanceStartOptions,
): Pick<ConformanceStartOptions, 'verify' | 'store' | 'ackTimeoutMs' | 'maxBodyBytes' | 'bodyTimeoutMs' | 'queue'> {
  const { verify, store, ackTimeoutMs, maxBodyBytes, bodyTimeoutMs, queue } = options;
  return { verify, store, ackTimeoutMs, maxBodyBytes, bodyTimeoutMs, queue };
}
