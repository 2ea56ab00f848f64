import { describe, expect, it } from 'vitest';
import { CALLBACK_PATH, legacyBody, send, taskId, useApp } from '../conformance/support.js';
import { targets } from '../conformance/targets/index.js';
import { chunkedFlood } from './raw-client.js';

const MAX_BODY_BYTES = 4096;
/** What the client tries to send: far more than any socket buffer holds. */
const ATTEMPTED_BYTES = 256 * 1024 * 1024;
/**
 * What may get through before the server stops reading: the limit plus the kernel's socket buffers on both ends
 * (a few MiB on loopback). A server that drains or buffers the body lets all 256 MiB through.
 */
const MAX_WRITTEN_BYTES = 24 * 1024 * 1024;
/** Growth of this process's RSS allowed per run (server and client live here): a buffered body would add 256 MiB. */
const MAX_RSS_GROWTH_BYTES = 64 * 1024 * 1024;

describe.each(targets)('$name: a chunked body over maxBodyBytes', (target) => {
  const { recorder, baseUrl } = useApp(target, { maxBodyBytes: MAX_BODY_BYTES });

  it('stops being read at the limit: 413 (or a closed connection), bytes through and memory stay flat', async () => {
    const rssBefore = process.memoryUsage.rss();
    const outcome = await chunkedFlood(
      baseUrl(),
      CALLBACK_PATH,
      { 'content-type': 'application/json', 'webhook-id': 'msg_1', 'webhook-timestamp': '1', 'webhook-signature': 'x' },
      ATTEMPTED_BYTES,
      10_000,
    );
    const rssGrowth = process.memoryUsage.rss() - rssBefore;
    expect(outcome.closed).toBe(true);
    // The answer may be lost to the reset that closing a socket with unread input causes; when it arrives, it is 413.
    if (outcome.status !== undefined) expect(outcome.status).toBe(413);
    expect(outcome.written).toBeLessThan(MAX_WRITTEN_BYTES);
    expect(rssGrowth).toBeLessThan(MAX_RSS_GROWTH_BYTES);
  });

  it('three floods in a row leave the app answering genuine callbacks', async () => {
    const statuses: (number | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      const outcome = await chunkedFlood(
        baseUrl(),
        CALLBACK_PATH,
        { 'content-type': 'application/json' },
        ATTEMPTED_BYTES,
        10_000,
      );
      expect(outcome.written).toBeLessThan(MAX_WRITTEN_BYTES);
      statuses.push(outcome.status);
    }
    // At least one answer got through the reset race: the server answered rather than dropped the connection.
    expect(statuses).toContain(413);
    const id = taskId();
    expect((await send(baseUrl(), legacyBody(id, 'succeed'))).status).toBe(200);
    expect(recorder.callsOf(id)).toEqual(['succeed', '*']);
  });
});
