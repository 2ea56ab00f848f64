import { describe, expect, it } from 'vitest';
import { headOnly } from './raw-head.js';
import { CALLBACK_PATH, legacyBody, MAX_BODY_BYTES, send, taskId, useApp } from './support.js';
import type { ConformanceStartOptions } from './target.js';
import { targets } from './targets/index.js';

/** Far below `bodyTimeoutMs` (3 s by default): an answer this quick did not wait for body bytes. */
const ANSWER_WITHIN_MS = 500;

/** The setups in front of the route that could read (or wait for) a body before the declared length is looked at. */
const setups: [string, Partial<ConformanceStartOptions>][] = [
  ['alone', {}],
  ['with express.json() mounted first', { expressJsonFirst: true }],
  ['with rawBody: true', { rawBody: true }],
];

const declaredLengths = [MAX_BODY_BYTES + 1, 1024 * 1024 * 1024, Number.MAX_SAFE_INTEGER];

describe.each(targets)('$name: a declared content-length over maxBodyBytes', (target) => {
  describe.each(setups)('%s', (_setup, options) => {
    const { recorder, baseUrl } = useApp(target, options);

    it.each(declaredLengths)('content-length %d and no body bytes: 413 before a byte is read', async (length) => {
      const outcome = await headOnly(
        baseUrl(),
        CALLBACK_PATH,
        {
          'content-type': 'application/json',
          'content-length': String(length),
          'webhook-id': 'msg_1',
          'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
          'webhook-signature': 'v1,AAAA',
        },
        3 * ANSWER_WITHIN_MS,
      );
      expect(outcome.status).toBe(413);
      expect(outcome.ms).toBeLessThan(ANSWER_WITHIN_MS);
    });

    it('a genuine callback is still answered afterwards', async () => {
      const id = taskId();
      expect((await send(baseUrl(), legacyBody(id, 'succeed'))).status).toBe(200);
      expect(recorder.callsOf(id)).toEqual(['succeed', '*']);
    });
  });
});
