import { spawn } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redisAnswers as answers, ensureRedis as ensure, INSTALL_REDIS } from '../../scripts/redis-for-tests.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A URL on a port that nothing listens on (taken from the OS, then closed). */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `redis://127.0.0.1:${port}`;
}

/** A PATH that has node but no redis-server. */
function pathWithoutRedis(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kling-path-'));
  symlinkSync(process.execPath, join(dir, 'node'));
  return dir;
}

function runScript(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'scripts/test.mjs'), ...args], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('exit', (status) => resolve({ status, stdout, stderr, ms: Date.now() - started }));
  });
}

describe('the test run brings its own Redis', () => {
  it('starts a redis-server from PATH on a free port when nothing answers at REDIS_URL, and stops it', async () => {
    const closed = await closedPortUrl();
    const lines: string[] = [];
    const redis = await ensure({ url: closed, log: (line) => lines.push(line) });
    try {
      expect(redis.started).toBe(true);
      expect(redis.url).not.toBe(closed);
      const client = new Redis(redis.url, { lazyConnect: true });
      await client.connect();
      await client.set('kling-ensure-redis:probe', 'yes');
      expect(await client.get('kling-ensure-redis:probe')).toBe('yes');
      client.disconnect();
      expect(lines.join('\n')).toContain(redis.url);
    } finally {
      await redis.stop();
    }
    expect(await answers(redis.url, 300)).toBe(false);
  });

  it('uses the Redis at REDIS_URL when one answers (starts nothing)', async () => {
    const first = await ensure({ url: await closedPortUrl(), log: () => {} });
    try {
      const again = await ensure({ url: first.url, log: () => {} });
      expect(again).toMatchObject({ url: first.url, started: false });
      await again.stop();
      expect(await answers(first.url)).toBe(true);
    } finally {
      await first.stop();
    }
  });

  it('without redis-server on PATH, fails at once naming the command that installs it', async () => {
    const started = Date.now();
    await expect(ensure({ url: await closedPortUrl(), env: { PATH: pathWithoutRedis() } })).rejects.toThrow(
      INSTALL_REDIS,
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('scripts/test.mjs fails before running anything when no Redis answers and none can be started (CI or not)', async () => {
    for (const CI of ['true', '']) {
      const run = await runScript([], { PATH: pathWithoutRedis(), REDIS_URL: await closedPortUrl(), CI });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('apt-get install redis-server');
      expect(run.stdout.trim().split('\n').at(-1)).toBe('0 passed, 1 failed');
      expect(run.ms).toBeLessThan(5000);
    }
  });

  it('scripts/test.mjs runs the Redis suites against a redis-server it starts, then stops it', async () => {
    const closed = await closedPortUrl();
    const run = await runScript(['--project', 'node', 'test/redis/contract.test.ts'], {
      ...process.env,
      REDIS_URL: closed,
      CI: 'true',
    });
    expect(run.stdout.trim().split('\n').at(-1)).toMatch(/^[1-9]\d* passed, 0 failed$/);
    expect(run.status).toBe(0);
    const url = /started redis-server at (redis:\/\/\S+)/.exec(run.stderr)?.[1];
    expect(url).toBeDefined();
    expect(await answers(url as string, 300)).toBe(false);
  }, 90_000);
});
