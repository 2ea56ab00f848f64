import { memoryStore } from '@kling-webhooks/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { legacyBody, send, taskId, useApp } from '../conformance/support.js';
import { targets } from '../conformance/targets/index.js';

/**
 * An attacker holding a callback URL (a token bound to one external id) posts bodies about any task: only the task
 * paired with that external id is ever dispatched, and a task's second terminal state never is.
 */
describe.each(targets)('$name: leaked callback URLs (fuzzed)', (target) => {
  const store = memoryStore();
  const handled: string[] = [];
  const { baseUrl } = useApp(target, {
    store,
    handlers: {
      '*': (event) => {
        handled.push(`${event.taskId}:${event.status}`);
      },
    },
  });

  it('a token dispatches only the task paired with its external id, once per state, nothing after the end', async () => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 4 }),
        fc.array(
          fc.record({
            token: fc.nat({ max: 3 }),
            task: fc.nat({ max: 3 }),
            status: fc.constantFrom('processing', 'succeed', 'failed'),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        async (paired, requests) => {
          const tasks = Array.from({ length: 4 }, () => taskId());
          // The first `paired` tasks were created through the client; the others were not.
          for (let i = 0; i < paired; i++) await store.pairTask(`ext-${tasks[i]}`, tasks[i] as string, 60_000);
          const ended = new Set<string>();
          const done = new Set<string>();
          for (const { token, task, status } of requests) {
            const ext = `ext-${tasks[token]}`;
            const id = tasks[task] as string;
            const before = handled.length;
            const response = await send(baseUrl(), legacyBody(id, status, { task_info: { external_task_id: ext } }), {
              credential: { kind: 'token', externalTaskId: ext },
            });
            seen.add(response.status);
            if (token >= paired) {
              expect(response.status).toBe(503);
            } else if (token !== task) {
              expect(response.status).toBe(401);
            } else {
              expect(response.status).toBe(200);
              const fresh = !ended.has(id) && !done.has(`${id}:${status}`);
              expect(handled.length - before).toBe(fresh ? 1 : 0);
              if (fresh) done.add(`${id}:${status}`);
              if (status !== 'processing') ended.add(id);
              continue;
            }
            expect(handled.length).toBe(before);
          }
        },
      ),
      { numRuns: 15 },
    );
    expect(seen).toContain(401);
    expect(seen).toContain(200);
  }, 60_000);
});
