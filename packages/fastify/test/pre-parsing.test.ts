import { randomBytes, randomInt } from 'node:crypto';
import { createGunzip, gzipSync } from 'node:zlib';
import { klingSignature, signKlingWebhook, silentLogger } from '@kling-webhooks/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { klingWebhooks } from '../src/index.js';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

describe('klingWebhooks (Fastify) behind a preParsing hook', () => {
  it('reads the stream the hook returns (a gzip body, signed decompressed), not the raw request', async () => {
    const app = Fastify();
    apps.push(app);
    app.addHook('preParsing', async (request, _reply, payload) =>
      request.headers['content-encoding'] === 'gzip' ? payload.pipe(createGunzip()) : payload,
    );
    await app.register(klingWebhooks, {
      path: '/webhooks/kling',
      verify: klingSignature({ secrets: [SECRET] }),
      logger: silentLogger,
    });
    const seen: string[] = [];
    app.kling.on('succeed', (event) => {
      seen.push(event.taskId);
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const taskId = String(randomInt(1e9));
    const body = JSON.stringify({ task_id: taskId, task_status: 'succeed' });
    const response = await fetch(`${url}/webhooks/kling`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        ...signKlingWebhook({ secret: SECRET, body }),
      },
      body: gzipSync(body),
    });
    expect(response.status).toBe(200);
    expect(seen).toEqual([taskId]);
  });
});
