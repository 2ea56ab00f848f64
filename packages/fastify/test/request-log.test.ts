import { randomBytes, randomInt } from 'node:crypto';
import { Writable } from 'node:stream';
import { klingSignature, signKlingWebhook } from '@kling-webhooks/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { klingWebhooks } from '../src/index.js';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

describe('klingWebhooks (Fastify) request logs', () => {
  it("logs a handler failing after the answer (202) to that request's log", async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    });
    const app = Fastify({ logger: { level: 'warn', stream } });
    apps.push(app);
    await app.register(klingWebhooks, {
      path: '/webhooks/kling',
      verify: klingSignature({ secrets: [SECRET] }),
      ackTimeoutMs: 20,
    });
    let fail: (error: Error) => void = () => {};
    app.kling.on('succeed', () => new Promise((_, reject) => (fail = reject)));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const body = JSON.stringify({ task_id: String(randomInt(1e9)), task_status: 'succeed' });
    const response = await fetch(`${url}/webhooks/kling`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signKlingWebhook({ secret: SECRET, body }) },
      body,
    });
    expect(response.status).toBe(202);
    fail(new Error('late'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const failed = lines.find((line) => line.msg === 'handler failed');
    expect(failed).toMatchObject({ level: 50, error: 'Error: late' });
    // The request's id, as on every line of request.log.
    expect(failed?.reqId).toEqual(expect.any(String));
  });
});
