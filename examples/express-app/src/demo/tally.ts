import { isTerminalStatus, type KlingTaskEvent } from '@kling-webhooks/core';
import type { MockDelivery, MockKlingStats } from '@kling-webhooks/testing';
import type { PlannedTask } from './plan.js';

/** What became of one callback the mock sent. */
export type DeliveryOutcome = 'handled' | 'suppressed' | 'refused' | 'unanswered';

/** The numbers the demo ends with, and whether they add up. */
export interface Summary {
  created: number;
  callbacksReceived: number;
  handlerCalls: number;
  duplicatesSuppressed: number;
  recoveredByPolling: number;
  failed: number;
  /** Empty when every task reached one terminal handler call and nothing ran twice. */
  problems: string[];
}

/** Counts what the demo sees at both ends: the mock's deliveries and the receiver's handler calls. */
export class Tally {
  private readonly tasks = new Map<string, PlannedTask>();
  private readonly calls: KlingTaskEvent[] = [];
  private readonly handledDeliveries = new Set<string>();
  private received = 0;
  private suppressed = 0;
  private refused = 0;

  /** Records a task the mock created for `planned`. */
  created(taskId: string, planned: PlannedTask): void {
    this.tasks.set(taskId, planned);
  }

  /** The planned task's name, or the id itself for a task the demo did not create. */
  name(taskId: string): string {
    return this.tasks.get(taskId)?.name ?? taskId;
  }

  /** Records a handler call; returns how many times this state of this task has now been handled. */
  handled(event: KlingTaskEvent): number {
    this.calls.push(event);
    if (event.deliveryId !== undefined) this.handledDeliveries.add(event.deliveryId);
    return this.calls.filter((e) => e.taskId === event.taskId && e.status === event.status).length;
  }

  /**
   * Classifies a callback the mock sent, once it has its answer. A delivery's handlers run before its answer is sent,
   * so a delivery that reached handlers is known by now: any other one the receiver accepted was suppressed.
   */
  delivered(delivery: MockDelivery): DeliveryOutcome {
    if (delivery.responseStatus === undefined) {
      this.refused++;
      return 'unanswered';
    }
    this.received++;
    if (delivery.deliveryId !== undefined && this.handledDeliveries.has(delivery.deliveryId)) return 'handled';
    // 409: the same state is being handled by another delivery right now (Kling would retry, and find it done).
    if (delivery.responseStatus === 200 || delivery.responseStatus === 409) {
      this.suppressed++;
      return 'suppressed';
    }
    this.refused++;
    return 'refused';
  }

  /** How many tasks have had a terminal handler call. */
  get ended(): number {
    return new Set(this.calls.filter((e) => isTerminalStatus(e.status)).map((e) => e.taskId)).size;
  }

  /** The totals, checked against the plan and against what the mock says it sent. */
  summary(plan: readonly PlannedTask[], mock: Readonly<MockKlingStats>): Summary {
    const problems: string[] = [];
    const terminal = this.calls.filter((e) => isTerminalStatus(e.status));
    const recovered = terminal.filter((e) => e.source === 'poll');
    if (this.tasks.size !== plan.length) problems.push(`${this.tasks.size} of ${plan.length} tasks were created`);
    for (const [taskId, planned] of this.tasks) {
      const ends = terminal.filter((e) => e.taskId === taskId);
      const expected = planned.fate === 'task fails' ? 'failed' : 'succeed';
      if (ends.length !== 1) problems.push(`${planned.name}: ${ends.length} terminal handler calls, expected 1`);
      else if (ends[0]?.status !== expected)
        problems.push(`${planned.name}: ended ${ends[0]?.status}, not ${expected}`);
    }
    const seen = new Set<string>();
    for (const event of this.calls) {
      const key = `${this.name(event.taskId)} ${event.status}`;
      if (seen.has(key)) problems.push(`${key}: handled more than once`);
      seen.add(key);
    }
    const lost = plan.filter((p) => p.fate === 'terminal callback lost').map((p) => p.name);
    const recoveredNames = recovered.map((e) => this.name(e.taskId));
    if (recoveredNames.join() !== lost.join()) {
      problems.push(`recovered by polling: ${recoveredNames.join(', ') || 'none'}; expected ${lost.join(', ')}`);
    }
    if (this.suppressed !== mock.callbacksDuplicated) {
      problems.push(
        `${this.suppressed} callbacks suppressed, but the mock sent ${mock.callbacksDuplicated} extra copies`,
      );
    }
    if (this.refused > 0) problems.push(`${this.refused} callbacks refused or unanswered by the receiver`);
    return {
      created: this.tasks.size,
      callbacksReceived: this.received,
      handlerCalls: this.calls.length,
      duplicatesSuppressed: this.suppressed,
      recoveredByPolling: recovered.length,
      failed: terminal.filter((e) => e.status === 'failed').length,
      problems,
    };
  }
}
