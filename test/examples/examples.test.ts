import { spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { signKlingWebhook } from '@kling-webhooks/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningChild, startNode } from './child.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsc = createRequire(`${root}package.json`).resolve('typescript/bin/tsc');

const examples = [
  { name: 'express-app', packages: ['core', 'express', 'testing'] },
  { name: 'fastify-app', packages: ['core', 'fastify'] },
  { name: 'hono-app', packages: ['core', 'web'] },
];

const running: RunningChild[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((child) => child.stop()));
});

/** The environment of this process without the example's secret, so each test decides whether it is set. */
function baseEnv(): NodeJS.ProcessEnv {
  const { KLING_WEBHOOK_SECRET: _secret, ...env } = process.env;
  return env;
}

describe.each(examples)('examples/$name', ({ name, packages }) => {
  const dir = `${root}examples/${name}`;

  beforeAll(() => {
    // A child process imports the built packages, not the sources (CI builds them before the tests).
    for (const pkg of packages) {
      if (!existsSync(`${root}packages/${pkg}/dist/index.js`)) {
        throw new Error(`packages/${pkg} is not built: run \`pnpm build\` first`);
      }
    }
    const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
    expect(build.status, `${build.stdout}${build.stderr}`).toBe(0);
  });

  it('receives a signed callback and logs the video URL', async () => {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const child = startNode('dist/main.js', dir, { ...baseEnv(), KLING_WEBHOOK_SECRET: secret, PORT: '0' });
    running.push(child);
    const [, port] = await child.waitFor(/listening (?:on|at) http:\/\/[^\s:]+:(\d+)/i);

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
    await child.waitFor(new RegExp(url.replaceAll('.', '\\.')));

    const unsigned = await fetch(`http://127.0.0.1:${port}/webhooks/kling`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(unsigned.status).toBe(401);
  });

  it('exits non-zero with a clear message when KLING_WEBHOOK_SECRET is missing', async () => {
    const child = startNode('dist/main.js', dir, { ...baseEnv(), PORT: '0' });
    running.push(child);
    const code = await child.exited;
    expect(code).not.toBe(0);
    expect(child.output()).toContain('KLING_WEBHOOK_SECRET is not set');
    expect(child.output()).toContain('whsec_');
    // How to run it locally: the mock Kling that prints a secret (and that command exists in the repository).
    expect(child.output()).toContain('node packages/testing/dist/cli.js simulate');
    expect(child.output()).toContain('npx -p @kling-webhooks/testing kling-webhooks simulate');
    expect(child.output()).not.toMatch(/listening/i);
  });
});
