import { spawnSync } from 'node:child_process';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { signKlingWebhook } from '@kling-webhooks/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deleteByPrefix, describeWithRedis, REDIS_URL } from '../redis/support/redis.js';
import { type RunningChild, startNode } from './child.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsc = createRequire(`${root}package.json`).resolve('typescript/bin/tsc');
const dir = `${root}examples/queued-app`;

describeWithRedis('examples/queued-app (pnpm example:queued): a web process and a worker process', () => {
  const prefix = `kling-test-example-${randomUUID()}`;
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  let child: RunningChild | undefined;

  beforeAll(() => {
    for (const pkg of ['core', 'express', 'redis', 'bullmq']) {
      if (!existsSync(`${root}packages/${pkg}/dist/index.js`)) {
        throw new Error(`packages/${pkg} is not built: run \`pnpm build\` first`);
      }
    }
    const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
    expect(build.status, `${build.stdout}${build.stderr}`).toBe(0);
  });
  afterAll(async () => {
    await child?.stop();
    const admin = new Redis(REDIS_URL);
    await deleteByPrefix(admin, prefix);
    admin.disconnect();
  });

  it('answers a signed callback `queued` from the web process and logs the video URL from the worker', async () => {
    const { KLING_WEBHOOK_SECRET: _secret, ...env } = process.env;
    child = startNode('dist/main.js', dir, {
      ...env,
      KLING_WEBHOOK_SECRET: secret,
      PORT: '0',
      REDIS_URL,
      KLING_PREFIX: prefix,
    });
    const [, port] = await child.waitFor(/\[web\] listening on http:\/\/[^\s:]+:(\d+)/i);
    await child.waitFor(/\[worker\] worker ready/);

    const taskId = String(randomInt(1e9, 1e10));
    const url = `https://cdn.example.com/${taskId}.mp4`;
    const body = JSON.stringify({
      task_id: taskId,
      task_status: 'succeed',
      task_result: { videos: [{ id: 'v-1', url, duration: '5.1' }] },
    });
    const response = await fetch(`http://127.0.0.1:${port}/webhooks/kling`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signKlingWebhook({ secret, body }) },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, queued: true });
    await child.waitFor(new RegExp(`\\[worker\\] task ${taskId} succeeded: video ${url.replaceAll('.', '\\.')}`));
    expect(child.output()).not.toMatch(new RegExp(`\\[web\\] task ${taskId}`));
  });
});
