import type { CallbackStatus } from '../builders.js';
import { signedRequest } from '../sign.js';
import { taskBody } from './tasks.js';
import type { MockBehaviour, MockDelivery, MockKlingEvent, MockKlingStats, MockTask, PerCallback } from './types.js';
import type { WorkTracker } from './work.js';

function pick<T>(value: PerCallback<T> | undefined, fallback: T, task: MockTask, status: CallbackStatus): T {
  if (value === undefined) return fallback;
  return typeof value === 'function' ? (value as (t: MockTask, s: CallbackStatus) => T)(task, status) : value;
}

/** What the courier needs from the mock around it. */
export interface CourierContext {
  webhookSecret: string | undefined;
  behaviour: () => MockBehaviour;
  stats: MockKlingStats;
  deliveries: MockDelivery[];
  work: WorkTracker;
  timers: Set<NodeJS.Timeout>;
  emit: (event: MockKlingEvent) => void;
}

/** Sends each state of each task to its `callback_url`, signed like Kling, misbehaving as `behaviour` says. */
export class Courier {
  private readonly held = new Map<string, CallbackStatus[]>();
  private readonly aborter = new AbortController();

  constructor(private readonly context: CourierContext) {}

  /** Called once per state a task reaches. */
  deliver(task: MockTask, status: CallbackStatus): void {
    if (task.callbackUrl === undefined) return;
    const behaviour = this.context.behaviour();
    const reorder = typeof behaviour.reorder === 'function' ? behaviour.reorder(task) : behaviour.reorder === true;
    const terminal = status === 'succeed' || status === 'failed';
    if (reorder && !terminal) {
      this.held.set(task.taskId, [...(this.held.get(task.taskId) ?? []), status]);
      return;
    }
    this.send(task, status);
    const held = this.held.get(task.taskId);
    this.held.delete(task.taskId);
    for (const earlier of (held ?? []).reverse()) this.send(task, earlier);
  }

  /** Aborts callbacks in flight. */
  abort(): void {
    this.aborter.abort();
  }

  private send(task: MockTask, status: CallbackStatus): void {
    const { behaviour: current, stats, emit } = this.context;
    const behaviour = current();
    if (behaviour.drop?.(task, status)) {
      stats.callbacksDropped++;
      emit({ type: 'dropped', taskId: task.taskId, status });
      return;
    }
    const copies = 1 + Math.max(0, Math.floor(pick(behaviour.duplicate, 0, task, status)));
    const delayMs = Math.max(0, pick(behaviour.delayMs, 0, task, status));
    const dialect = typeof behaviour.dialect === 'function' ? behaviour.dialect(task) : (behaviour.dialect ?? task.api);
    // The body is rendered now: a delayed callback carries the state it was sent for, not a later one.
    const body = JSON.stringify(
      taskBody({ ...task, status, message: status === 'failed' ? task.message : '' }, dialect),
    );
    for (let copy = 0; copy < copies; copy++) {
      this.later(delayMs, () => this.post(task, status, body, copy > 0));
    }
  }

  private later(ms: number, run: () => Promise<void>): void {
    const { work, timers } = this.context;
    work.start();
    const timer = setTimeout(() => {
      timers.delete(timer);
      run().finally(() => work.end());
    }, ms);
    timers.add(timer);
  }

  private async post(task: MockTask, status: CallbackStatus, body: string, duplicate: boolean): Promise<void> {
    const { webhookSecret, stats, deliveries, emit } = this.context;
    const url = task.callbackUrl;
    if (url === undefined || this.aborter.signal.aborted) return;
    const request = await signedRequest({ url, body, webhookSecret });
    const delivery: MockDelivery = { taskId: task.taskId, status, url, duplicate, ms: 0 };
    const deliveryId = request.headers['webhook-id'];
    if (deliveryId !== undefined) delivery.deliveryId = deliveryId;
    stats.callbacksSent++;
    if (duplicate) stats.callbacksDuplicated++;
    const started = performance.now();
    try {
      const response = await fetch(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.any([this.aborter.signal, AbortSignal.timeout(10_000)]),
      });
      await response.arrayBuffer();
      delivery.responseStatus = response.status;
      if (!response.ok) stats.callbacksFailed++;
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error);
      stats.callbacksFailed++;
    }
    delivery.ms = Math.round(performance.now() - started);
    deliveries.push(delivery);
    emit({ type: 'callback', delivery });
  }
}
