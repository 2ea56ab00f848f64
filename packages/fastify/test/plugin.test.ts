import { randomBytes, randomInt } from 'node:crypto';
import { Writable } from 'node:stream';
import { createKlingReceiver, klingSignature, signKlingWebhook, silentLogger } from '@kling-webhooks/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { klingWebhooks } from '../src/index.js';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const verify = klingSignature({ secrets: [SECRET] });

function body(taskId: string): string {
  return `{"task_id":"${taskId}",  "task_status":"succeed","task_result":{"videos":[{"id":"v","url":"https://cdn.example.com/${taskId}.mp4","duration":"5"}]}}`;
}

function post(url: string, payload: string, signed = true) {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signed ? signKlingWebhook({ secret: SECRET, body: payload }) : {}),
    },
    body: payload,
  });
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function start(app: FastifyInstance): Promise<string> {
  apps.push(app);
  return app.listen({ port: 0, host: '127.0.0.1' });
}

describe('klingWebhooks (Fastify)', () => {
  it("logs through the request's logger by default", async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    });
    const app = Fastify({ logger: { level: 'warn', stream } });
    await app.register(klingWebhooks, { path: '/webhooks/kling', verify });
    const url = await start(app);
    expect((await post(`${url}/webhooks/kling`, body(String(randomInt(1e9))), false)).status).toBe(401);
    const line = lines.find((entry) => String(entry.msg).includes('verification failed'));
    expect(line).toMatchObject({ level: 40, verifier: expect.any(String) });
    // request.log lines carry the request id; the app's own logger's do not.
    expect(line?.reqId).toEqual(expect.any(String));
  });

  it('keeps its catch-all body parser to its own route', async () => {
    const app = Fastify();
    await app.register(klingWebhooks, { path: '/webhooks/kling', verify, logger: silentLogger });
    app.post('/other', async (request) => ({ got: request.body }));
    const url = await start(app);
    const xml = await fetch(`${url}/other`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<a/>' });
    expect(xml.status).toBe(415);
    expect(await xml.json()).toMatchObject({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' });
    const xmlOnCallback = await fetch(`${url}/webhooks/kling`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: '<a/>',
    });
    expect(xmlOnCallback.status).toBe(415);
    expect(await xmlOnCallback.json()).toEqual({ error: 'unsupported_media_type' });
  });

  it('registers under the prefix of the context it is registered in, and decorates that context', async () => {
    const app = Fastify();
    const seen: string[] = [];
    await app.register(
      async (child) => {
        await child.register(klingWebhooks, { path: '/kling', verify, logger: silentLogger });
        child.kling.on('succeed', (event) => {
          seen.push(event.taskId);
        });
      },
      { prefix: '/hooks' },
    );
    const url = await start(app);
    const taskId = String(randomInt(1e9));
    expect((await post(`${url}/hooks/kling`, body(taskId))).status).toBe(200);
    expect(seen).toEqual([taskId]);
  });

  it('uses a receiver made elsewhere as app.kling', async () => {
    const receiver = createKlingReceiver({ verify, logger: silentLogger });
    const app = Fastify();
    await app.register(klingWebhooks, { path: '/webhooks/kling', receiver });
    expect(app.kling).toBe(receiver);
    const seen: string[] = [];
    receiver.on('succeed', (event) => {
      seen.push(event.taskId);
    });
    const url = await start(app);
    const taskId = String(randomInt(1e9));
    expect((await post(`${url}/webhooks/kling`, body(taskId))).status).toBe(200);
    expect(seen).toEqual([taskId]);
  });
});
