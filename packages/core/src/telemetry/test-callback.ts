import type { KlingTaskEvent } from '../event.js';

/**
 * Whether an event has the shape of the console's "Test Callback" (docs/kling-protocol.md §1): a new-dialect
 * `submitted` body with an empty `outputs` list and no external task id. A real `submitted` callback of a task created
 * without an external id looks the same, so this only labels the request (log line, span and metric attribute): the
 * event still goes through dedupe and the `submitted` handlers, and nothing of it reaches the reconciler, which polls
 * only tasks `KlingClient` created.
 */
export function looksLikeTestCallback(event: KlingTaskEvent): boolean {
  return (
    event.status === 'submitted' &&
    event.dialect === 'new' &&
    event.externalTaskId === undefined &&
    event.outputs.length === 0
  );
}
