import { type KlingTaskEvent, normalize } from '@kling-webhooks/core';
import { buildCallback, type CallbackStatus, type MockKlingStats, randomTaskId } from '@kling-webhooks/testing';
import { describe, expect, it } from 'vitest';
import { plan } from '../../examples/express-app/src/demo/plan.js';
import { Tally } from '../../examples/express-app/src/demo/tally.js';

// The demo exits 1 when its summary does not add up: these are the checks behind that.
const mockStats = (extraCopies: number): MockKlingStats => ({
  created: plan.length,
  callbacksSent: 0,
  callbacksDropped: 1,
  callbacksDuplicated: extraCopies,
  callbacksFailed: 0,
});

function event(taskId: string, status: CallbackStatus, source: 'callback' | 'poll'): KlingTaskEvent {
  return normalize(buildCallback({ taskId, status }), { source, deliveryId: `msg_${taskId}_${status}_${source}` });
}

/** A tally of a run that went as planned: every state once, the lost task's end from a poll, one copy suppressed. */
function plannedRun() {
  const tally = new Tally();
  const ids = plan.map((task) => {
    const taskId = randomTaskId();
    tally.created(taskId, task);
    return taskId;
  });
  plan.forEach((task, i) => {
    const taskId = ids[i] as string;
    tally.handled(event(taskId, 'submitted', 'callback'));
    tally.handled(event(taskId, 'processing', 'callback'));
    const lost = task.fate === 'terminal callback lost';
    tally.handled(event(taskId, task.fate === 'task fails' ? 'failed' : 'succeed', lost ? 'poll' : 'callback'));
  });
  const copy = { taskId: ids[2] as string, status: 'succeed' as const, url: '', duplicate: true, ms: 1 };
  expect(tally.delivered({ ...copy, deliveryId: 'msg_copy', responseStatus: 200 })).toBe('suppressed');
  return { tally, ids };
}

describe('demo tally', () => {
  it('finds nothing wrong with a run that went as planned', () => {
    const { tally } = plannedRun();
    expect(tally.ended).toBe(plan.length);
    expect(tally.summary(plan, mockStats(1))).toMatchObject({
      created: 4,
      handlerCalls: 12,
      duplicatesSuppressed: 1,
      recoveredByPolling: 1,
      failed: 1,
      problems: [],
    });
  });

  it('reports a state handled twice, a second terminal call and suppressions the mock did not cause', () => {
    const { tally, ids } = plannedRun();
    expect(tally.handled(event(ids[0] as string, 'succeed', 'poll'))).toBe(2);
    const { problems } = tally.summary(plan, mockStats(2));
    expect(problems).toContain('fox: 2 terminal handler calls, expected 1');
    expect(problems).toContain('fox succeed: handled more than once');
    expect(problems).toContain('recovered by polling: owl, fox; expected owl');
    expect(problems).toContain('1 callbacks suppressed, but the mock sent 2 extra copies');
  });

  it('reports a task that never ended and a callback the receiver refused', () => {
    const tally = new Tally();
    const taskId = randomTaskId();
    tally.created(taskId, plan[0] as (typeof plan)[number]);
    tally.handled(event(taskId, 'submitted', 'callback'));
    const delivery = { taskId, status: 'processing' as const, url: '', duplicate: false, ms: 1, responseStatus: 401 };
    expect(tally.delivered({ ...delivery, deliveryId: 'msg_x' })).toBe('refused');
    const { problems } = tally.summary(plan, mockStats(0));
    expect(problems).toContain('1 of 4 tasks were created');
    expect(problems).toContain('fox: 0 terminal handler calls, expected 1');
    expect(problems).toContain('1 callbacks refused or unanswered by the receiver');
  });
});
