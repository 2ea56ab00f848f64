import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { signKlingWebhook } from '@kling-webhooks/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The example runs as its own process on the built packages (packages/core/dist, packages/nestjs/dist).
const exampleDir = fileURLToPath(new URL('../../examples/nest-app/', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const secret = `whsec_${randomBytes(24).toString('base64')}`;

/** Starts the built example; resolves with the process and a way to wait for a line of its output. */
function startExample(env: Record<string, string>) {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: exampleDir,
    env: { ...process.env, NO_COLOR: '1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters: { pattern: RegExp; resolve: (match: RegExpMatchArray) => void }[] = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const waiter of [...waiters]) {
      const match = output.match(waiter.pattern);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const match = output.match(pattern);
      if (match) return resolve(match);
      waiters.push({ pattern, resolve });
      child.once('exit', () => reject(new Error(`example exited before printing ${pattern}:\n${output}`)));
    });
  return { child, waitFor, output: () => output };
}

describe('examples/nest-app', () => {
  let running: ChildProcess | undefined;
  beforeAll(() => {
    const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: exampleDir, encoding: 'utf8' });
    expect(build.stdout + build.stderr).toBe('');
    expect(build.status).toBe(0);
  });
  afterAll(async () => {
    if (running && running.exitCode === null) {
      running.kill('SIGTERM');
      await once(running, 'exit');
    }
  });

  it('exits 1 with a clear message when KLING_WEBHOOK_SECRET is missing', async () => {
    const example = startExample({ KLING_WEBHOOK_SECRET: '' });
    const [code] = await once(example.child, 'exit');
    expect(code).toBe(1);
    expect(example.output()).toContain('KLING_WEBHOOK_SECRET is not set');
  });

  it('logs the video URL of a signed succeed callback and refuses an unsigned one', async () => {
    const example = startExample({ KLING_WEBHOOK_SECRET: secret });
    running = example.child;
    const [, url] = await example.waitFor(/Kling callbacks go to (http:\/\/\S+)/);
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
    await example.waitFor(new RegExp(`task ${taskId} succeeded: ${videoUrl.replaceAll('.', '\\.')}`));
  });
});
