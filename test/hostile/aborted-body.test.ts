import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CALLBACK_PATH, legacyBody, send, taskId, useApp } from '../conformance/support.js';
import { targets } from '../conformance/targets/index.js';
import { stalledRequest } from './raw-client.js';

const ABORTS = 50;

describe.each(targets)('$name: senders that go away mid-body', (target) => {
  // Express prints errors handed to next() unless NODE_ENV is "test" (as vitest sets it): run as in production.
  const nodeEnv = process.env.NODE_ENV;
  beforeAll(() => {
    process.env.NODE_ENV = 'production';
  });
  afterAll(() => {
    process.env.NODE_ENV = nodeEnv;
  });
  const lines: string[] = [];
  const note = (message: string) => {
    lines.push(message);
  };
  const { recorder, baseUrl } = useApp(target, {
    logger: { debug: () => {}, info: note, warn: note, error: note },
  });

  it(`${ABORTS} aborted bodies: no handler, at most 10 lines through the receiver's logger, none on the console`, async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const ids = Array.from({ length: ABORTS }, () => taskId());
      for (const id of ids) {
        const body = legacyBody(id, 'succeed');
        // The client's deadline closes the socket after 20 bytes of a longer body.
        await stalledRequest(
          baseUrl(),
          CALLBACK_PATH,
          { 'content-type': 'application/json', 'content-length': String(body.length) },
          body,
          20,
          10,
        );
      }
      // The app still answers; by then the server has seen every abort.
      const id = taskId();
      expect((await send(baseUrl(), legacyBody(id, 'succeed'))).status).toBe(200);
      await vi.waitFor(() => expect(lines.length).toBeGreaterThan(0));
      for (const aborted of ids) expect(recorder.callsOf(aborted)).toEqual([]);
      expect(lines.length).toBeLessThanOrEqual(10);
      expect(consoleError).not.toHaveBeenCalled();
    } finally {
      consoleError.mockRestore();
    }
  });
});
