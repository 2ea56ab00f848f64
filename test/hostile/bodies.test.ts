import { signKlingWebhook } from '@kling-webhooks/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentTypeArb, fuzzParameters, hostileBodyBytes } from '../../packages/core/test/fuzz-fixtures.js';
import { CALLBACK_PATH, useApp, WEBHOOK_SECRET } from '../conformance/support.js';
import { targets } from '../conformance/targets/index.js';

/** Methods an HTTP parser lets through to the app (others never reach it). */
const METHOD = fc.constantFrom('POST', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'GET', 'OPTIONS');

/** Header values Node sends: printable ASCII. */
const safeContentType = contentTypeArb.map((type) => type.replace(/[^\x20-\x7e]/g, ''));

describe.each(targets)('$name: hostile bodies over HTTP (fuzzed)', (target) => {
  const dispatched = { count: 0 };
  const { baseUrl } = useApp(target, {
    maxBodyBytes: 4 * 1024 * 1024,
    // The harder setup for Express-based targets: a JSON parser mounted for the whole app, ahead of the adapter.
    expressJsonFirst: true,
    handlers: {
      '*': () => {
        dispatched.count++;
      },
    },
  });

  it('never answers 5xx; a handler runs only for a 200', async () => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(METHOD, safeContentType, hostileBodyBytes, fc.boolean(), async (method, type, raw, signed) => {
        const headers: Record<string, string> = { 'content-type': type };
        if (signed) Object.assign(headers, signKlingWebhook({ secret: WEBHOOK_SECRET, body: raw }));
        const before = dispatched.count;
        const response = await fetch(`${baseUrl()}${CALLBACK_PATH}`, {
          method,
          headers,
          body: method === 'GET' ? undefined : raw,
        });
        const text = await response.text();
        seen.add(response.status);
        expect(response.status, text).toBeLessThan(500);
        expect(text.length).toBeLessThan(512);
        if (response.status !== 200) expect(dispatched.count).toBe(before);
        if (!signed) expect([401, 405, 413, 415]).toContain(response.status);
      }),
      fuzzParameters(300),
    );
    expect(seen).toContain(401);
    expect(seen).toContain(400);
  }, 60_000);
});
