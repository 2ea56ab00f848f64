import { KlingWebhookError } from '../errors.js';
import { unrefTimer } from '../platform/timer.js';

/**
 * A request body did not arrive in full within `bodyTimeoutMs`. Thrown by a stream from {@link withBodyDeadline};
 * the receiver answers 408 and closes the connection.
 */
export class KlingBodyTimeoutError extends KlingWebhookError {
  constructor(timeoutMs: number) {
    super('KLING_BODY_TIMEOUT', `the request body did not arrive within ${timeoutMs} ms`);
  }
}

/**
 * Wraps a body stream so that the whole body must arrive within `timeoutMs` of this call: after that, the pending and
 * every later `next()` reject with {@link KlingBodyTimeoutError}. A deadline for the whole body, not per chunk, so a
 * sender trickling a byte now and then cannot hold the request open either.
 *
 * The source is never `return()`ed: leaving a Node request early that way would destroy the socket the answer still
 * has to be written to. Adapters that read a body ahead of the receiver wrap it with this, so the receiver's
 * `bodyTimeoutMs` holds for them too; the receiver wraps every stream it reads.
 */
export function withBodyDeadline(
  source: AsyncIterable<Uint8Array>,
  timeoutMs: number,
): AsyncIterableIterator<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  let timedOut: KlingBodyTimeoutError | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KlingBodyTimeoutError(timeoutMs)), timeoutMs);
    // The request keeps the process alive, not its deadline.
    unrefTimer(timer);
  });
  // Nobody may be waiting when the deadline passes: that rejection is not an unhandled one.
  expired.catch(() => undefined);
  const wrapped: AsyncIterableIterator<Uint8Array> = {
    [Symbol.asyncIterator]: () => wrapped,
    async next() {
      if (timedOut !== undefined) throw timedOut;
      if (finished) return { done: true, value: undefined };
      try {
        // On a timeout the source's pending `next()` is left behind; it settles when the connection closes.
        const result = await Promise.race([iterator.next(), expired]);
        if (result.done === true) {
          finished = true;
          clearTimeout(timer);
        }
        return result;
      } catch (error) {
        if (error instanceof KlingBodyTimeoutError) timedOut = error;
        else {
          finished = true;
          clearTimeout(timer);
        }
        throw error;
      }
    },
  };
  return wrapped;
}
