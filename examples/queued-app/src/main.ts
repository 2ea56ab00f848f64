// One command, two processes: the web process (queues verified callbacks) and a worker (runs the handlers).
// Run: KLING_WEBHOOK_SECRET=whsec_... pnpm example:queued   (Redis at REDIS_URL, default redis://127.0.0.1:6379)
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const secret = process.env.KLING_WEBHOOK_SECRET;
if (secret === undefined || secret.trim() === '') {
  console.error(
    'KLING_WEBHOOK_SECRET is not set: copy the Webhook Secret (whsec_...) from the Kling console and run\n' +
      '  KLING_WEBHOOK_SECRET=whsec_... pnpm example:queued\n' +
      'To try it without a Kling account: node packages/testing/dist/cli.js simulate (it prints a secret).',
  );
  process.exit(1);
}

const children: ChildProcess[] = [];
function start(name: 'web' | 'worker'): void {
  const child = fork(fileURLToPath(new URL(`./${name}.js`, import.meta.url)), [], { stdio: 'pipe' });
  children.push(child);
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') console.log(`[${name}] ${line}`);
    });
  }
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`[${name}] exited (${signal ?? code}); stopping`);
    stop(1);
  });
}

let stopping = false;
function stop(code: number): void {
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 2_000).unref();
  Promise.all(children.map((child) => new Promise((resolve) => child.once('exit', resolve)))).then(() =>
    process.exit(code),
  );
}

start('worker');
start('web');
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
