import { context, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import type { KlingPendingStats, KlingPendingTask } from '../store/types.js';
import { instrumentsOf } from './instruments.js';
import { ATTR, SPAN } from './names.js';
import type { KlingTelemetryOptions } from './options.js';
import { type LiveProviders, ProviderWatch } from './providers.js';

/** What became of one polled task (`kling.reconciler.poll.outcome`). */
export type PollOutcome = 'recovered' | 'ended_by_callback' | 'running' | 'failed' | 'not_returned';

/**
 * The reconciler's telemetry: a span per tick and per polled task, the callback-loss counters (`kling.tasks.ended`
 * by `callback` or `poll`), abandoned tasks, and the pending gauges after each tick. Looks once per tick whether
 * anything records.
 */
export class ReconcilerTelemetry {
  private readonly watch: ProviderWatch;
  private live: LiveProviders | undefined;

  constructor(options: KlingTelemetryOptions | undefined) {
    this.watch = new ProviderWatch(options);
  }

  /** Runs one tick under a `kling.reconciler.tick` span whose attributes are the tick's report. */
  async tick<R extends object>(run: () => Promise<R>): Promise<R> {
    const live = this.watch.current();
    this.live = live;
    const span = live?.tracer?.startSpan(SPAN.reconcilerTick, undefined, context.active());
    if (span === undefined) return run();
    try {
      const report = await context.with(trace.setSpan(context.active(), span), run);
      if (span.isRecording()) {
        for (const [key, value] of Object.entries(report)) span.setAttribute(`kling.reconciler.${key}`, value);
      }
      return report;
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  /** Runs what the reconciler does with one polled task under a `kling.reconciler.task` span. */
  async task(task: KlingPendingTask, run: () => Promise<PollOutcome>): Promise<void> {
    const live = this.live;
    const span = live?.tracer?.startSpan(
      SPAN.reconcilerTask,
      { attributes: { [ATTR.taskId]: task.taskId, [ATTR.taskProduct]: task.product } },
      context.active(),
    );
    let outcome: PollOutcome | undefined;
    try {
      outcome = await (span === undefined ? run() : context.with(trace.setSpan(context.active(), span), run));
    } catch (error) {
      if (span !== undefined) failed(span, error);
      throw error;
    } finally {
      span?.setAttribute(ATTR.pollOutcome, outcome ?? 'failed');
      span?.end();
      if (live?.meter !== undefined) {
        instrumentsOf(live.meter).polls.add(1, { [ATTR.pollOutcome]: outcome ?? 'failed' });
      }
    }
  }

  /** A tracked task ended: its terminal state came from a callback or from a poll. */
  ended(by: 'callback' | 'poll'): void {
    const meter = this.live?.meter;
    if (meter !== undefined) instrumentsOf(meter).tasksEnded.add(1, { [ATTR.endedBy]: by });
  }

  /** A tracked task was dropped after its last poll. */
  abandoned(): void {
    const meter = this.live?.meter;
    if (meter !== undefined) instrumentsOf(meter).tasksAbandoned.add(1);
  }

  /** Whether pending stats are worth reading (something records metrics). */
  get wantsPending(): boolean {
    return this.live?.meter !== undefined;
  }

  /** The pending tasks after a tick. */
  pending(stats: KlingPendingStats, now: number): void {
    const meter = this.live?.meter;
    if (meter === undefined) return;
    const metrics = instrumentsOf(meter);
    metrics.pendingTasks.record(stats.count);
    const oldest = stats.oldestCreatedAt;
    if (oldest !== undefined) metrics.oldestPendingAge.record(Math.max(0, now - oldest) / 1000);
    else if (stats.count === 0) metrics.oldestPendingAge.record(0);
  }
}

function failed(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.setAttribute(ATTR.errorType, error instanceof Error ? error.name : typeof error);
}
