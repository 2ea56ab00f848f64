import type { KlingTaskEvent } from '../event.js';

/** What a receiver with a queue hands over: one verified, validated event and the key it is deduplicated under. */
export interface KlingQueuedEvent {
  /**
   * The event's dedupe key (`klingIdempotencyKey(event)`): one per task state. A queue must store at most one entry
   * per key, so that two replicas handing over the same event at once queue it once.
   */
  readonly key: string;
  readonly event: KlingTaskEvent;
}

/**
 * Durable hand-off for a receiver configured with `queue`: the receiver verifies, validates and claims an event, then
 * calls `enqueue` and answers 200 only once it resolves. Handlers then run in workers (for BullMQ:
 * `createKlingWorker` in `@kling-webhooks/bullmq`), which call `receiver.runQueued(event)`.
 */
export interface KlingEventQueue {
  /**
   * Stores the event durably; resolves once it is stored (or an entry with the same `key` already is). Rejects when
   * it cannot store it: the receiver then releases its claim and answers 503, so the sender delivers it again.
   */
  enqueue(job: KlingQueuedEvent): Promise<void>;
}
