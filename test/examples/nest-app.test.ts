import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { signKlingWebhook } from '@kling-webhooks/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningChild, startNode } from './child.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = `${root}examples/nest-app`;
const tsc = createRequire(`${root}package.json`).resolve('typescript/bin/tsc');

const running: RunningChild[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((child) => child.stop()));
});

/** This process's environment without the example's secret; NO_COLOR keeps Nest's log lines plain. */
function baseEnv(): NodeJS.ProcessEnv {
  const { KLING_WEBHOOK_SECRET: _secret, ...env } = process.env;
  return { ...env, NO_COLOR: '1', PORT: '0' };
}

describe('examples/nest-app', () => {
  beforeAll(() => {
    // A child process imports the built packages, not the sources (CI builds them before the tests).
    for (const pkg of ['core', 'nestjs']) {
      if (!existsSync(`${root}packages/${pkg}/dist/index.js`)) {
        throw new Error(`packages/${pkg} is not built: run \`pnpm build\` first`);
      }
    }
    const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
    expect(build.status, `${build.stdout}${build.stderr}`).toBe(0);
  });

  it('logs the video URL of a signed succeed callback and refuses an unsigned one', async () => {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const child = startNode('dist/main.js', dir, { ...baseEnv(), KLING_WEBHOOK_SECRET: secret });
    running.push(child);
    const [, url] = await child.waitFor(/Kling callbacks go to (http:\/\/\S+)/);
    const taskId = randomUUID();
    const videoUrl = `https://cdn.example.com/${taskId}.mp4`;
    const body = JSON.stringify({
      task_id: taskId,
      task_status: 'succeed',
      task_result: { videos: [{ id: 'v-1', url: videoUrl, duration: '5.1' }] },
    });

    const unsigned = await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(401);
    const signed = await fetch(url!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signKlingWebhook({ secret, body }) },
      body,
    });
    expect(signed.status).toBe(200);
    await child.waitFor(new RegExp(`\\[VideoLogger\\] task ${taskId} succeeded: ${videoUrl.replaceAll('.', '\\.')}`));
  });

  it('exits 1 with a clear message when KLING_WEBHOOK_SECRET is missing', async () => {
    const child = startNode('dist/main.js', dir, baseEnv());
    running.push(child);
    expect(await child.exited).toBe(1);
    expect(child.output()).toContain('KLING_WEBHOOK_SECRET is not set');
    // How to run it locally: the mock Kling that prints a secret (and that command exists in the repository).
    expect(child.output()).toContain('node packages/testing/dist/cli.js simulate');
    expect(child.output()).toContain('npx -p @kling-webhooks/testing kling-webhooks simulate');
    expect(child.output()).not.toContain('Kling callbacks go to');
  });
});
