// `pnpm bench [--quick]`: each framework's bare route and our routes, measured alternately against server processes,
// then the slow-handler row and the memory row. Prints a markdown report and writes bench/results/latest.md.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Delivery, DeliverySigner, randomSecrets } from './deliveries.js';
import { type LoadResult, load } from './load.js';
import { median } from './median.js';
import type { MemoryReport } from './memory-growth.js';
import { type ProcessResult, renderReport, type SlowResult } from './report.js';
import { type Framework, ROUTES, type RouteName } from './routes.js';
import { ServerProcess } from './server-process.js';
import { FULL, QUICK, type Settings } from './settings.js';

const settings: Settings = process.argv.includes('--quick') ? QUICK : FULL;
const secrets = randomSecrets();
const signer = new DeliverySigner(secrets);

/** Server processes and the routes each runs. Nest mounts one KlingModule per app: one process per verifier. */
const PLAN: readonly { framework: Framework; routes: RouteName[] }[] = [
  { framework: 'express', routes: ['bare', 'signature', 'token', 'redis'] },
  { framework: 'fastify', routes: ['bare', 'signature', 'token', 'redis'] },
  { framework: 'nest-express', routes: ['bare', 'signature'] },
  { framework: 'nest-express', routes: ['bare', 'token'] },
  { framework: 'nest-fastify', routes: ['bare', 'signature'] },
  { framework: 'nest-fastify', routes: ['bare', 'token'] },
];

/** Distinct bare requests, cycled: the bare route does no dedupe, so repeats cost it nothing extra. */
const BARE_POOL = 1000;

const startedAt = Date.now();
function log(message: string): void {
  process.stderr.write(`[${((Date.now() - startedAt) / 1000).toFixed(1)} s] ${message}\n`);
}

/** Requests for one run of `route`: bare cycles a small pool; ours gets a new delivery for every request. */
function requestsFor(route: RouteName, expectedRps: number, durationSec: number) {
  const spec = ROUTES[route];
  if (route === 'bare') {
    const pool = signer.pool(spec.path, spec.auth, BARE_POOL);
    return { request: (i: number) => pool[i % BARE_POOL] as Delivery, signedDuringRun: () => 0 };
  }
  // Signed before the run, with room to spare; a shortfall is signed during the run, and reported.
  const pool = signer.pool(spec.path, spec.auth, Math.ceil(expectedRps * durationSec * 1.5) + 1000);
  let extra = 0;
  const request = (i: number): Delivery => {
    const delivery = pool[i];
    if (delivery !== undefined) return delivery;
    extra++;
    return signer.sign(spec.path, spec.auth);
  };
  return { request, signedDuringRun: () => extra };
}

async function measureProcess(framework: Framework, routes: readonly RouteName[]): Promise<ProcessResult> {
  const server = await ServerProcess.start(framework, routes, secrets);
  const result: ProcessResult = { framework, runs: new Map(), problems: [] };
  const best = new Map<RouteName, number>();
  const run = async (route: RouteName, durationSec: number, record: boolean): Promise<void> => {
    // Ours is rarely faster than bare: size its pool for the faster of the two (30k req/s before any estimate).
    const expected = Math.max(best.get(route) ?? 0, best.get('bare') ?? 30_000);
    const { request, signedDuringRun } = requestsFor(route, expected, durationSec);
    const before = await server.stats();
    const measured = await load({ port: server.port, connections: settings.connections, durationSec, request });
    const after = await server.stats();
    if (record && signedDuringRun() > 0) {
      result.problems.push(
        `${framework} ${route}: ${signedDuringRun()} requests signed during the run (pool too small)`,
      );
    }
    measured.cpuMicrosPerRequest = (after.cpuMicros - before.cpuMicros) / Math.max(1, measured.requests);
    best.set(route, Math.max(best.get(route) ?? 0, measured.rps));
    if (!record) return;
    result.runs.set(route, [...(result.runs.get(route) ?? []), measured]);
    const where = `${framework} ${route}`;
    if (measured.failed > 0) {
      result.problems.push(`${where}: ${measured.failed} failed (${JSON.stringify(measured.statusCodes)})`);
    }
    if (route !== 'bare') {
      // Every 2xx must come from a dispatch (a fresh event, not a duplicate); requests still in flight when the run
      // ended may have been dispatched without being counted by autocannon.
      const calls = (after.dispatched[route] ?? 0) - (before.dispatched[route] ?? 0);
      if (calls < measured.ok || calls - measured.ok > settings.connections) {
        result.problems.push(`${where}: ${measured.ok} answers but ${calls} handler calls`);
      }
    }
  };
  try {
    for (const route of routes) await run(route, settings.warmupSec, false);
    for (let round = 0; round < settings.rounds; round++) {
      log(`  ${framework} round ${round + 1}/${settings.rounds}`);
      for (const route of routes) await run(route, settings.durationSec, true);
    }
  } finally {
    await server.close();
  }
  return result;
}

/** The slow-handler row: every handler sleeps 30 s; each answer must come at about `ackTimeoutMs`. */
async function measureSlow(): Promise<SlowResult> {
  const server = await ServerProcess.start('fastify', ['slow'], secrets, {
    BENCH_ACK_TIMEOUT_MS: String(settings.ackTimeoutMs),
  });
  try {
    const { path, auth } = ROUTES.slow;
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
    processes.push(await measureProcess(framework, routes));
  }
  log('slow handler row');
  const slow = await measureSlow();
  log(`memory row: ${settings.memoryKeys} keys`);
  const memory = await measureMemory();
  const report = renderReport({ settings, processes, slow, memory, elapsedSec: (Date.now() - started) / 1000 });
  process.stdout.write(`${report}\n`);
  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}latest.md`, `${report}\n`);
  const medians = processes.map((p) => ({
    framework: p.framework,
    routes: Object.fromEntries([...p.runs].map(([route, runs]) => [route, medianOf(runs)])),
    problems: p.problems,
  }));
  writeFileSync(`${dir}latest.json`, `${JSON.stringify({ settings, medians, slow, memory }, null, 2)}\n`);
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
