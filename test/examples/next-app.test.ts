import { spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { signKlingWebhook } from '@kling-webhooks/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningChild, startNode } from './child.js';

const dir = fileURLToPath(new URL('../../examples/next-app/', import.meta.url));
const next = `${dir}node_modules/next/dist/bin/next`;
const secret = `whsec_${randomBytes(24).toString('base64')}`;

const running: RunningChild[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((child) => child.stop()));
});

/** This process's environment without the example's secret, so each test decides whether it is set. */
function baseEnv(): NodeJS.ProcessEnv {
  const { KLING_WEBHOOK_SECRET: _secret, ...env } = process.env;
  return { ...env, NEXT_TELEMETRY_DISABLED: '1' };
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('examples/next-app', () => {
  beforeAll(() => {
    // `pnpm test` built it before vitest started (scripts/next-apps.mjs).
    if (process.env.KLING_NEXT_APPS_BUILT === '1') return;
    // What `pnpm example:next` runs, with the secret set (Next.js loads the route module while building).
    const build = spawnSync(process.execPath, [next, 'build'], {
      cwd: dir,
      env: { ...baseEnv(), KLING_WEBHOOK_SECRET: secret },
      encoding: 'utf8',
    });
    expect(build.status, `${build.stdout}${build.stderr}`).toBe(0);
  }, 300_000);

  it('next start: the route handler verifies, handles and logs a signed callback, and refuses an unsigned one', async () => {
    const port = await freePort();
    const child = startNode(next, dir, { ...baseEnv(), KLING_WEBHOOK_SECRET: secret }, [
      'start',
      '--port',
      String(port),
      '--hostname',
      '127.0.0.1',
    ]);
    running.push(child);
    await child.waitFor(/Ready/, 30_000);

    const taskId = String(randomInt(1e9, 1e10));
    const url = `https://cdn.example.com/${taskId}.mp4`;
    const body = JSON.stringify({
      task_id: taskId,
      task_status: 'succeed',
      task_result: { videos: [{ id: 'v-1', url, duration: '5.1' }] },
    });
    const callback = `http://127.0.0.1:${port}/webhooks/kling`;
    const response = await fetch(callback, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signKlingWebhook({ secret, body }) },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    await child.waitFor(new RegExp(url.replaceAll('.', '\\.')));

    const unsigned = await fetch(callback, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(401);
  });

  it('pnpm example:next stops before building, with a clear message, when KLING_WEBHOOK_SECRET is missing', async () => {
    const child = startNode('check-env.mjs', dir, baseEnv());
    running.push(child);
    expect(await child.exited).not.toBe(0);
    expect(child.output()).toContain('KLING_WEBHOOK_SECRET is not set');
    expect(child.output()).toContain('node packages/testing/dist/cli.js simulate');
  });
});
