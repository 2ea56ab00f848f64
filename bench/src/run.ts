// `pnpm bench [--quick]`: each framework's bare route, the hand-written floor and peer, and our routes, measured
// alternately against server processes, then the slow-handler row and the memory row. Prints a markdown report and writes bench/results/latest.md.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DeliverySigner, randomSecrets } from './deliveries.js';
import { type LoadResult, load } from './load.js';
import { type BenchContext, measureProcess } from './measure.js';
import { median } from './median.js';
import type { MemoryReport } from './memory-growth.js';
import { type ProcessResult, problemsOf, renderReport, type SlowResult } from './report.js';
import { type Framework, ROUTES, type RouteName } from './routes.js';
import { ServerProcess } from './server-process.js';
import { FULL, QUICK, type Settings } from './settings.js';

const settings: Settings = process.argv.includes('--quick') ? QUICK : FULL;
const secrets = randomSecrets();
const signer = new DeliverySigner(secrets);

/**
 * Server processes and the routes each runs: bare, the hand-written floor and peer, and ours, measured in turn every
 * round. Nest mounts one KlingModule per app: one process per verifier. The Redis floor runs beside our Redis row, and
 * the queued route (BullMQ) beside both: queued vs in-request (Redis) vs bare, same process and rounds.
 * A quick run leaves the hand-written routes out of the Nest token processes (the signature processes have them), to
 * stay a short smoke run.
 */
function plan(quick: boolean): readonly { framework: Framework; routes: RouteName[] }[] {
  const written: RouteName[] = ['floor', 'peer'];
  const nestToken: RouteName[] = quick ? ['bare', 'token'] : ['bare', ...written, 'token'];
  return [
    { framework: 'express', routes: ['bare', ...written, 'signature', 'token', 'redis-floor', 'redis', 'queued'] },
    { framework: 'fastify', routes: ['bare', ...written, 'signature', 'token', 'redis-floor', 'redis', 'queued'] },
    { framework: 'nest-express', routes: ['bare', ...written, 'signature'] },
    { framework: 'nest-express', routes: nestToken },
    { framework: 'nest-fastify', routes: ['bare', ...written, 'signature'] },
    { framework: 'nest-fastify', routes: nestToken },
  ];
}
const PLAN = plan(settings.name === 'quick');

const startedAt = Date.now();
function log(message: string): void {
  process.stderr.write(`[${((Date.now() - startedAt) / 1000).toFixed(1)} s] ${message}\n`);
}
const context: BenchContext = { settings, secrets, signer, log };

/** The slow-handler row: every handler sleeps 30 s; each answer must come at about `ackTimeoutMs`. */
async function measureSlow(): Promise<SlowResult> {
  const server = await ServerProcess.start('fastify', ['slow'], secrets, {
    BENCH_ACK_TIMEOUT_MS: String(settings.ackTimeoutMs),
  });
  try {
    const { path, auth } = ROUTES.slow;
    // One request per connection first: the first answers would also time the JIT compiling the receiver.
    await load({
      port: server.port,
      connections: settings.connections,
      durationSec: settings.ackTimeoutMs / 1000,
      timeoutSec: 30,
      request: () => signer.sign(path, auth),
    });
    const measured = await load({
      port: server.port,
      connections: settings.connections,
      durationSec: settings.slowDurationSec,
      timeoutSec: 30,
      request: () => signer.sign(path, auth),
    });
    return { ackTimeoutMs: settings.ackTimeoutMs, result: measured };
  } finally {
    await server.close();
  }
}

function measureMemory(): Promise<MemoryReport> {
  const script = fileURLToPath(new URL('./memory-growth.js', import.meta.url));
  const child = fork(script, [String(settings.memoryKeys)], { execArgv: ['--expose-gc'], stdio: 'pipe' });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.pipe(process.stderr);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out) as MemoryReport);
      else reject(new Error(`memory row exited with ${code}`));
    });
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  log(`kling-webhooks bench (${settings.name}): ${settings.rounds} round(s) of ${settings.durationSec} s per route`);
  const processes: ProcessResult[] = [];
  for (const { framework, routes } of PLAN) {
    log(`${framework}: ${routes.join(', ')}`);
    processes.push(await measureProcess(context, framework, routes));
  }
  log('slow handler row');
  const slow = await measureSlow();
  log(`memory row: ${settings.memoryKeys} keys`);
  const memory = await measureMemory();
  const problems = problemsOf({ processes, slow });
  const elapsedSec = (Date.now() - started) / 1000;
  const report = renderReport({ settings, processes, slow, memory, elapsedSec, problems });
  process.stdout.write(`${report}\n`);
  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}latest.md`, `${report}\n`);
  const medians = processes.map((p) => ({
    framework: p.framework,
    routes: Object.fromEntries([...p.runs].map(([route, runs]) => [route, medianOf(runs)])),
    problems: p.problems,
    notes: p.notes,
  }));
  writeFileSync(`${dir}latest.json`, `${JSON.stringify({ settings, medians, slow, memory }, null, 2)}\n`);
  // No thresholds on speed (machines are noisy), but a wrong answer under load fails the run, --quick in CI too.
  if (problems.length > 0) {
    log(`${problems.length} check(s) failed: ${problems.join('; ')}`);
    process.exitCode = 1;
  }
}

function medianOf(runs: readonly LoadResult[]) {
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
