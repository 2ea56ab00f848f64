/**
 * The names this library's spans, metrics and attributes use: one `kling.*` namespace, in OpenTelemetry
 * semantic-convention style (dot-separated lower-case words, `snake_case` within a word, durations in seconds,
 * counts with a `{unit}` annotation). docs/observability.md lists them for operators; renaming one breaks dashboards.
 */

/** Instrumentation scope: the tracer and meter name. */
export const SCOPE = '@kling-webhooks/core';

export const SPAN = {
  /** One callback request through the pipeline. */
  webhook: 'kling.webhook',
  /** The handlers of one event (all of them: the app's own spans become children). */
  handlers: 'kling.handlers',
  /** `receiver.process`: a poll result, or an event a queue worker runs. */
  process: 'kling.process',
  /** One store call: the operation is the suffix (`kling.store.claim`). */
  storePrefix: 'kling.store.',
  /** One reconciler tick. */
  reconcilerTick: 'kling.reconciler.tick',
  /** One polled task of a tick. */
  reconcilerTask: 'kling.reconciler.task',
} as const;

export const METRIC = {
  /** Counter of callback requests by outcome. */
  callbacks: 'kling.webhook.callbacks',
  /** Histogram of the time to answer a callback request (s). */
  callbackDuration: 'kling.webhook.duration',
  /** Counter of 202 answers: the ack budget ran out while handlers ran. */
  ackBudgetExhausted: 'kling.webhook.ack_budget.exhausted',
  /** Counter of passed verifications by verifier and secret index (rotation). */
  verifications: 'kling.webhook.verifications',
  /** Histogram of one event's handlers (s), by task status, source and outcome. */
  handlerDuration: 'kling.handler.duration',
  /** Counter of failed handler runs. */
  handlerFailures: 'kling.handler.failures',
  /** Counter of `receiver.process` calls (poll results, queued events) by outcome. */
  processed: 'kling.process.events',
  /** Histogram of store calls (s), by operation and outcome. */
  storeDuration: 'kling.store.duration',
  /** Counter of tracked tasks that ended, by what ended them (callback or poll): the callback-loss ratio. */
  tasksEnded: 'kling.tasks.ended',
  /** Counter of tracked tasks the reconciler stopped polling after `maxAttempts`. */
  tasksAbandoned: 'kling.tasks.abandoned',
  /** Counter of polls the reconciler made, by outcome. */
  polls: 'kling.reconciler.polls',
  /** Gauge of tasks waiting for their terminal state. */
  pendingTasks: 'kling.tasks.pending',
  /** Gauge of the oldest pending task's age (s). */
  oldestPendingAge: 'kling.tasks.pending.oldest_age',
} as const;

export const ATTR = {
  outcome: 'kling.webhook.outcome',
  refusalReason: 'kling.webhook.refusal_reason',
  verdict: 'kling.webhook.verdict',
  verifier: 'kling.webhook.verifier',
  secretIndex: 'kling.webhook.secret_index',
  signed: 'kling.webhook.signed',
  duplicate: 'kling.webhook.duplicate',
  testCallback: 'kling.webhook.test_callback',
  dialect: 'kling.webhook.dialect',
  taskId: 'kling.task.id',
  taskStatus: 'kling.task.status',
  taskProduct: 'kling.task.product',
  endedBy: 'kling.task.ended_by',
  source: 'kling.event.source',
  handlerCount: 'kling.handler.count',
  handlerOutcome: 'kling.handler.outcome',
  processOutcome: 'kling.process.outcome',
  storeOperation: 'kling.store.operation',
  storeOutcome: 'kling.store.outcome',
  pollOutcome: 'kling.reconciler.poll.outcome',
  httpStatus: 'http.response.status_code',
  errorType: 'error.type',
} as const;

/** What became of one callback request (`kling.webhook.outcome`). */
export type CallbackOutcome =
  | 'processed'
  | 'queued'
  | 'duplicate'
  | 'out_of_order'
  | 'in_flight'
  | 'accepted'
  | 'handler_failed'
  | 'refused'
  | 'too_large'
  | 'store_unavailable'
  | 'queue_unavailable'
  | 'not_paired'
  | 'internal_error';
