import {
  createKlingReceiver,
  KlingConfigError,
  type KlingEventQueue,
  type KlingQueuedEvent,
  KlingQueueError,
  klingIdempotencyKey,
  memoryStore,
  normalize,
  silentLogger,
} from '@kling-webhooks/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** A queue in this process: stores one entry per key, or fails / hangs on demand. */
class ArrayQueue implements KlingEventQueue {
  readonly entries = new Map<string, KlingQueuedEvent>();
  mode: 'store' | 'fail' | 'hang' = 'store';

  async enqueue(job: KlingQueuedEvent): Promise<void> {
    if (this.mode === 'fail') throw new Error('queue down for the test');
    if (this.mode === 'hang') return new Promise(() => {});
    if (!this.entries.has(job.key)) this.entries.set(job.key, job);
  }
}

const body = (taskId: string, status: string) =>
  JSON.stringify({ task_id: taskId, task_status: status, task_status_msg: '', created_at: 1 });
const request = (taskId: string, status = 'succeed') => ({
  method: 'POST',
  url: '/webhooks/kling',
  headers: { 'content-type': 'application/json' },
  rawBody: new TextEncoder().encode(body(taskId, status)),
});

function setUp(ackTimeoutMs = 200) {
  const queue = new ArrayQueue();
  const store = memoryStore();
  const receiver = createKlingReceiver({ verify: 'none', store, queue, ackTimeoutMs, logger: silentLogger });
  const ran: string[] = [];
  receiver.on('*', (event) => void ran.push(`${event.taskId}:${event.status}`));
  return { queue, store, receiver, ran };
}

describe('receiver with a queue', () => {
  it('queues a claimed event with its dedupe key and runs no handler; runQueued runs it once', async () => {
    const { queue, receiver, ran } = setUp();
    const answer = await receiver.handle(request('t1'));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body as string)).toEqual({ ok: true, queued: true });
    expect(ran).toEqual([]);
    const [entry] = [...queue.entries.values()];
    expect(entry?.key).toBe(klingIdempotencyKey(entry?.event as never));
    expect(await receiver.runQueued(entry?.event as never)).toBe('processed');
    expect(await receiver.runQueued(entry?.event as never)).toBe('duplicate');
    expect(ran).toEqual(['t1:succeed']);
    expect(JSON.parse((await receiver.handle(request('t1'))).body as string)).toEqual({ ok: true, duplicate: true });
  });

  it('answers 503 queue_unavailable and releases the claim when the queue fails or does not answer in time', async () => {
    const { queue, receiver } = setUp(100);
    for (const mode of ['fail', 'hang'] as const) {
      queue.mode = mode;
      const started = Date.now();
      const answer = await receiver.handle(request(`t-${mode}`));
      expect(answer.status).toBe(503);
      expect(answer.headers['retry-after']).toMatch(/^\d+$/);
      expect(JSON.parse(answer.body as string)).toEqual({ error: 'queue_unavailable' });
      expect(Date.now() - started).toBeLessThan(1000);
      // Released: the redelivery is queued, not answered 409.
      queue.mode = 'store';
      expect((await receiver.handle(request(`t-${mode}`))).status).toBe(200);
      expect(queue.entries.size).toBeGreaterThan(0);
    }
  });

  it('process() queues a poll result (`queued`) and rejects with KlingQueueError when the queue fails', async () => {
    const { queue, receiver, ran } = setUp();
    const event = normalize(JSON.parse(body('p1', 'succeed')), { source: 'poll' });
    expect(await receiver.process(event)).toBe('queued');
    expect(await receiver.process(event)).toBe('queued'); // released: a second hand-over adds no entry
    expect(queue.entries.size).toBe(1);
    queue.mode = 'fail';
    await expect(receiver.process(normalize(JSON.parse(body('p2', 'failed')), { source: 'poll' }))).rejects.toThrow(
      KlingQueueError,
    );
    expect(ran).toEqual([]);
  });

  it('runQueued never dispatches after the end, whatever order the queued states run in', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(['submitted', 'processing', 'succeed', 'failed'], { minLength: 1 }),
        async (order) => {
          const { receiver, ran } = setUp();
          const id = `prop-${order.join('-')}`;
          for (const status of order)
            await receiver.runQueued(normalize(JSON.parse(body(id, status)), { source: 'callback' }));
          const statuses = ran.map((entry) => entry.split(':')[1]);
          const end = statuses.findIndex((status) => status === 'succeed' || status === 'failed');
          // At most one terminal state, and it is the last one dispatched.
          expect(statuses.filter((status) => status === 'succeed' || status === 'failed').length).toBeLessThanOrEqual(
            1,
          );
          if (end >= 0) expect(end).toBe(statuses.length - 1);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses a queue without enqueue', () => {
    expect(() => createKlingReceiver({ verify: 'none', queue: {} as KlingEventQueue, logger: silentLogger })).toThrow(
      KlingConfigError,
    );
  });
});
