import { createReconciler, type KlingLogger, type KlingStore, memoryStore, silentLogger } from '@kling-webhooks/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { callbackSide, clientFor, taskApi } from './reconciler-fixtures.js';

const FALLBACK = 60_000;
const BACKOFF = 10_000;

/** A logger that keeps the task ids of its warnings and errors. */
function recordingLogger(): KlingLogger & { warned: (string | undefined)[] } {
  const warned: (string | undefined)[] = [];
  const keep = (_message: string, context?: Record<string, unknown>) => {
    warned.push(typeof context?.taskId === 'string' ? context.taskId : undefined);
  };
  return { ...silentLogger, warn: keep, error: keep, warned };
}

type Fault = 'ok' | 'unreadable' | 'refused';

/** One run: tasks of both dialects with the given faults, polled in batches of `batchSize`. */
async function run(faults: { fault: Fault; legacy: boolean }[], batchSize: number): Promise<void> {
  const api = await taskApi();
  const store: KlingStore = memoryStore();
  const side = await callbackSide(store);
  let clock = Date.now();
  const now = () => clock;
  const logger = recordingLogger();
  try {
    const client = clientFor(api, store, now, FALLBACK);
    const created = [];
    for (const { legacy } of faults) {
      created.push(await client.createTask(legacy ? 'videos/text2video' : 'text-to-video/kling-3.0', { prompt: 'x' }));
    }
    const ids = created.map((task) => task.taskId);
    faults.forEach(({ fault }, i) => {
      const task = api.tasks.get(ids[i] as string);
      if (task) Object.assign(task, { status: 'succeed', fault });
    });
    const healthy = ids.filter((_, i) => faults[i]?.fault === 'ok');
    // A refused id only spoils batched queries; a legacy task is asked alone, so it is healthy there.
    const bad = ids.filter((_, i) => faults[i]?.fault === 'unreadable');
    const refused = ids.filter((_, i) => faults[i]?.fault === 'refused' && !faults[i]?.legacy);
    const refusedLegacy = ids.filter((_, i) => faults[i]?.fault === 'refused' && faults[i]?.legacy);

    const reconciler = createReconciler({
      client,
      receiver: side.receiver,
      store,
      fallbackAfterMs: FALLBACK,
      backoffMs: BACKOFF,
      batchSize,
      now,
      logger,
    });
    clock += FALLBACK;
    const report = await reconciler.tick();
    const callsOf = (id: string) => side.calls.filter((event) => event.taskId === id).length;

    // Every healthy task: dispatched exactly once, done with.
    for (const id of [...healthy, ...refusedLegacy]) expect(callsOf(id)).toBe(1);
    expect(report.completed).toBe(healthy.length + refusedLegacy.length);
    // Every bad one: no handler, a warning naming it, backed off on its own.
    for (const id of [...bad, ...refused]) {
      expect(callsOf(id)).toBe(0);
      expect(logger.warned).toContain(id);
    }
    expect(report.rescheduled).toBe(bad.length + refused.length);
    expect(report.failed).toBe(bad.length + refused.length);
    expect(logger.warned.filter((id) => id !== undefined && !bad.includes(id) && !refused.includes(id))).toEqual([]);

    // Later: the healthy ones are not polled again (nor dispatched); the bad ones, once repaired, finish once.
    for (const id of [...bad, ...refused]) {
      const task = api.tasks.get(id);
      if (task) task.fault = 'ok';
    }
    const polledBefore = new Map(api.polls);
    clock += BACKOFF;
    const later = await reconciler.tick();
    expect(later.completed).toBe(bad.length + refused.length);
    for (const id of healthy) expect(api.polls.get(id)).toBe(polledBefore.get(id));
    for (const id of ids) expect(callsOf(id)).toBe(1);
  } finally {
    await Promise.all([api.api.close(), side.close()]);
  }
}

describe('reconciler: one bad task never blocks the others of its batch', () => {
  it('dispatches every healthy task once and backs off each unreadable or refused one alone (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            fault: fc.constantFrom<Fault>('ok', 'ok', 'unreadable', 'refused'),
            legacy: fc.boolean(),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.integer({ min: 1, max: 8 }),
        (faults, batchSize) => run(faults, batchSize),
      ),
      { numRuns: 40 },
    );
  });

  it('a batch with one unreadable task among healthy ones (the example)', async () => {
    await run(
      [
        { fault: 'ok', legacy: false },
        { fault: 'unreadable', legacy: false },
        { fault: 'ok', legacy: false },
      ],
      50,
    );
  });
});
