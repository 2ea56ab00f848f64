// A Redis for the test run: the one at REDIS_URL when something answers there, else a throwaway `redis-server` from
// PATH on a free port (stopped by the caller), else a failure that names the command that installs it.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The command that installs a Redis server on Debian and Ubuntu (what the error message tells people to run). */
export const INSTALL_REDIS = 'apt-get install redis-server';

/** Thrown when no Redis answers and none can be started; `message` says what to run. */
export class RedisUnavailableError extends Error {
  code = 'REDIS_UNAVAILABLE';
}

/** Whether anything answers a PING at `url` within `timeoutMs` (an auth error still counts as an answer). */
export function redisAnswers(url, timeoutMs = 1000) {
  const parsed = new URL(url);
  const host = parsed.hostname || '127.0.0.1';
  const port = Number(parsed.port || 6379);
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', () => done(true));
  });
}

/** A TCP port nothing listens on right now (the OS picks it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The path of `command` on `env.PATH`, or undefined. */
function onPath(command, env) {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return join(dir, command);
    } catch {}
  }
  return undefined;
}

/**
 * Makes sure a Redis answers for the tests. Resolves `{ url, started, stop }`: `url` is REDIS_URL when a Redis
 * answers there (`started` false, `stop` does nothing); otherwise a `redis-server` started from PATH on a free port
 * of 127.0.0.1, without persistence, that `stop()` ends. Rejects with a `RedisUnavailableError` naming
 * `apt-get install redis-server` when none answers and `redis-server` is not on PATH, or when it does not start.
 */
export async function ensureRedis({ url = 'redis://127.0.0.1:6379', env = process.env, log = console.error } = {}) {
  if (await redisAnswers(url)) return { url, started: false, stop: async () => {} };
  const server = onPath('redis-server', env);
  if (server === undefined) {
    throw new RedisUnavailableError(
      `The tests need Redis: nothing answers at ${url} and redis-server is not on PATH. ` +
        `Install it with \`${INSTALL_REDIS}\` (the tests then start their own), or set REDIS_URL to a running Redis.`,
    );
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'kling-redis-'));
  const child = spawn(
    server,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { env, stdio: 'ignore' },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.once('error', () => {});
  // Whatever ends this process, the server goes with it.
  const kill = () => child.kill('SIGTERM');
  process.once('exit', kill);
  const started = `redis://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    process.off('exit', kill);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 5000;
  while (!(await redisAnswers(started, 200))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new RedisUnavailableError(`redis-server did not start on port ${port} (nothing answers at ${url} either)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  log(`[tests] no Redis at ${url}: started redis-server at ${started} for this run`);
  return { url: started, started: true, stop };
}
