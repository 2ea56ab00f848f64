import { randomBytes, randomInt } from 'node:crypto';
import {
  createKlingReceiver,
  type KlingLogger,
  klingSignature,
  signKlingWebhook,
  silentLogger,
} from '@kling-webhooks/core';
import express, { type Express } from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { klingWebhooks } from '../src/index.js';
import { listen } from './listen.js';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const verify = klingSignature({ secrets: [SECRET] });

function body(taskId: string): string {
  return `{"task_id":"${taskId}",  "task_status":"succeed","task_result":{"videos":[{"id":"v","url":"https://cdn.example.com/${taskId}.mp4","duration":"5"}]}}`;
}

function post(url: string, payload: string) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signKlingWebhook({ secret: SECRET, body: payload }) },
    body: payload,
  });
}

function recordingLogger(): KlingLogger & { errors: [string, Record<string, unknown> | undefined][] } {
  const errors: [string, Record<string, unknown> | undefined][] = [];
  return { ...silentLogger, errors, error: (message, context) => errors.push([message, context]) };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  vi.restoreAllMocks();
});

async function start(app: Express): Promise<string> {
  const server = await listen(app);
  closers.push(server.close);
  return server.url;
}

describe('klingWebhooks (Express)', () => {
  it('reads the exact bytes first when mounted with app.use after express.json(), express.text() and express.raw()', async () => {
    const seen: string[] = [];
    const app = express();
    app.use(express.json({ type: '*/*' }), express.text({ type: '*/*' }), express.raw({ type: '*/*' }));
    const middleware = klingWebhooks({ path: '/webhooks/kling', verify, logger: silentLogger });
    middleware.receiver.on('succeed', (event) => {
      seen.push(event.taskId);
    });
    app.use(middleware);
    const url = await start(app);
    const taskId = String(randomInt(1e9));
    const response = await post(`${url}/webhooks/kling`, body(taskId));
    expect(response.status).toBe(200);
    expect(seen).toEqual([taskId]);
  });

  it('works under a mount path: app.use(prefix, middleware)', async () => {
    const app = express();
    app.use(express.json());
    app.use('/hooks', klingWebhooks({ path: '/kling', verify, logger: silentLogger }));
    const url = await start(app);
    expect((await post(`${url}/hooks/kling`, body(String(randomInt(1e9))))).status).toBe(200);
    expect((await post(`${url}/kling`, body(String(randomInt(1e9))))).status).toBe(404);
  });

  it('reads the stream itself inside a Router with no body parser before it', async () => {
    const app = express();
    const router = express.Router();
    router.use(klingWebhooks({ path: '/webhooks/kling', verify, logger: silentLogger }));
    app.use(router);
    const url = await start(app);
    expect((await post(`${url}/webhooks/kling`, body(String(randomInt(1e9))))).status).toBe(200);
  });

  it("takes express.raw()'s Buffer when a Router parsed the body before it", async () => {
    const app = express();
    const router = express.Router();
    router.use(express.raw({ type: '*/*' }));
    router.use(klingWebhooks({ path: '/webhooks/kling', verify, logger: silentLogger }));
    app.use(router);
    const url = await start(app);
    expect((await post(`${url}/webhooks/kling`, body(String(randomInt(1e9))))).status).toBe(200);
  });

  it('answers 500 and logs exactly what to change when a parser consumed the body out of its reach', async () => {
    const logger = recordingLogger();
    const handler = vi.fn();
    const app = express();
    const router = express.Router();
    router.use(express.json());
    const middleware = klingWebhooks({ path: '/webhooks/kling', verify, logger });
    middleware.receiver.on('*', handler);
    router.use(middleware);
    app.use(router);
    const url = await start(app);
    const response = await post(`${url}/webhooks/kling`, body(String(randomInt(1e9))));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'raw_body_unavailable' });
    expect(handler).not.toHaveBeenCalled();
    expect(logger.errors).toHaveLength(1);
    const [message, context] = logger.errors[0]!;
    expect(message).toContain('express.json()');
    expect(message).toContain('app.use()');
    expect(message).toContain('before any body parser');
    expect(context).toEqual({ path: '/webhooks/kling' });
  });

  it('logs through console when no logger is given', async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    const app = express();
    app.post('/webhooks/kling', express.json(), klingWebhooks({ path: '/webhooks/kling', verify }));
    const url = await start(app);
    expect((await post(`${url}/webhooks/kling`, body(String(randomInt(1e9))))).status).toBe(500);
    expect(consoleError).toHaveBeenCalledWith(expect.stringContaining('already read by another middleware'), {
      path: '/webhooks/kling',
    });
  });

  it("passes every other path to next() and gives other methods on the path the receiver's 405", async () => {
    const app = express();
    app.use(klingWebhooks({ path: '/webhooks/kling', verify, logger: silentLogger }));
    app.get('/webhooks/kling/status', (_req, res) => {
      res.send('next');
    });
    const url = await start(app);
    expect(await (await fetch(`${url}/webhooks/kling/status`)).text()).toBe('next');
    const put = await fetch(`${url}/webhooks/kling`, { method: 'PUT', body: '{}' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('POST');
  });

  it('uses a receiver made elsewhere', async () => {
    const receiver = createKlingReceiver({ verify, logger: silentLogger });
    const seen: string[] = [];
    receiver.on('succeed', (event) => {
      seen.push(event.taskId);
    });
    const middleware = klingWebhooks({ path: '/webhooks/kling', receiver });
    expect(middleware.receiver).toBe(receiver);
    const app = express();
    app.use(middleware);
    const url = await start(app);
    const taskId = String(randomInt(1e9));
    expect((await post(`${url}/webhooks/kling`, body(taskId))).status).toBe(200);
    expect(seen).toEqual([taskId]);
  });
});
