/**
 * Base class of every error this library throws. `code` is stable and meant for programs; `message` is for people
 * and never contains a secret, a token or a signature.
 */
export class KlingWebhookError extends Error {
  /** Stable, machine-readable error code, e.g. `KLING_CONFIG`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Options given to a factory are invalid (e.g. no `verify`, an empty secret list). Thrown at start-up. */
export class KlingConfigError extends KlingWebhookError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KLING_CONFIG', message, options);
  }
}

/** The store could not answer (Redis down, timeout). The receiver answers 503 so the sender retries. */
export class KlingStoreError extends KlingWebhookError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KLING_STORE_UNAVAILABLE', message, options);
  }
}

/** A handler threw or rejected while processing an event; `cause` holds what it threw. */
export class KlingHandlerError extends KlingWebhookError {
  /** Idempotency key (`klingIdempotencyKey`, the store's dedupe key) of the event whose handler failed. */
  readonly key: string;

  constructor(key: string, options?: { cause?: unknown }) {
    super('KLING_HANDLER_FAILED', `a handler failed for ${key}`, options);
    this.key = key;
  }
}

/**
 * The queue of a receiver configured with `queue` did not store an event (its backend is down, or it did not answer
 * within the ack budget). The receiver releases its claim and answers 503 so the sender delivers the event again.
 */
export class KlingQueueError extends KlingWebhookError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KLING_QUEUE_UNAVAILABLE', message, options);
  }
}
