import { Agent, request } from 'node:http';
import { type KlingLogger, signKlingWebhook } from '@kling-webhooks/core';
import { afterAll, describe, expect, it } from 'vitest';
import { CALLBACK_PATH, legacyBody, taskId, useApp, WEBHOOK_SECRET } from '../conformance/support.js';
import { targets } from '../conformance/targets/index.js';

const BAD_REQUESTS = 5000;
/** One genuine callback among this many forged ones. */
const GOOD_EVERY = 100;
const CONNECTIONS = 50;
const OTHER_SECRET = `whsec_${Buffer.from('an attacker guessing secrets').toString('base64')}`;

/** Counts every line the receiver logs, by level, and keeps them for a look at what they hold. */
function countingLogger(): KlingLogger & { lines: { level: string; text: string }[] } {
  const lines: { level: string; text: string }[] = [];
  const write = (level: string) => (message: string, context?: Record<string, unknown>) => {
    lines.push({ level, text: `${message} ${JSON.stringify(context ?? {})}` });
  };
  return { lines, debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
afterAll(() => agent.destroy());

/** POSTs `body` with `headers` over the shared keep-alive pool; resolves with the status. */
function post(baseUrl: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}${CALLBACK_PATH}`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs `count` jobs with at most CONNECTIONS in flight. */
async function pool<T>(count: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await job(i);
      }
    }),
  );
  return results;
}

describe.each(targets)('$name: floods', (target) => {
  const logger = countingLogger();
  const { recorder, baseUrl } = useApp(target, { logger });

  it(`${BAD_REQUESTS} bad-signature requests: every one 401, genuine callbacks among them 200, bounded log`, async () => {
    const good: string[] = [];
    const statuses = await pool(BAD_REQUESTS + BAD_REQUESTS / GOOD_EVERY, async (i) => {
      if (i % (GOOD_EVERY + 1) === GOOD_EVERY) {
        const id = taskId();
        good.push(id);
        const body = legacyBody(id, 'succeed');
        return { good: true, status: await post(baseUrl(), signKlingWebhook({ secret: WEBHOOK_SECRET, body }), body) };
      }
      const body = legacyBody(taskId(), 'succeed');
      return { good: false, status: await post(baseUrl(), signKlingWebhook({ secret: OTHER_SECRET, body }), body) };
    });
    const bad = statuses.filter((s) => !s.good);
    expect(bad).toHaveLength(BAD_REQUESTS);
    expect(bad.every((s) => s.status === 401)).toBe(true);
    expect(statuses.filter((s) => s.good).map((s) => s.status)).toEqual(good.map(() => 200));
    for (const id of good) expect(recorder.callsOf(id)).toEqual(['succeed', '*']);

    // The limiter writes at most 10 lines per kind per minute: 5,000 refusals are not 5,000 lines.
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(logger.lines.length).toBeLessThanOrEqual(12);
    for (const line of logger.lines) expect(line.text).not.toContain(WEBHOOK_SECRET.slice(6));
  }, 60_000);

  it('1,000 replays of one genuine callback: handled once, each answered 200 or 409, no extra warnings', async () => {
    const before = logger.lines.filter((l) => l.level !== 'debug').length;
    const id = taskId();
    const body = legacyBody(id, 'succeed');
    const headers = signKlingWebhook({ secret: WEBHOOK_SECRET, body });
    const statuses = await pool(1000, () => post(baseUrl(), headers, body));
    expect(statuses.filter((s) => s !== 200 && s !== 409)).toEqual([]);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    expect(recorder.callsOf(id)).toEqual(['succeed', '*']);
    expect(logger.lines.filter((l) => l.level !== 'debug').length).toBe(before);
  });
});
