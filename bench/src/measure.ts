import type { BenchSecrets } from './deliveries.js';
import { type Delivery, type DeliverySigner } from './deliveries.js';
import { load } from './load.js';
import type { ProcessResult } from './report.js';
import { type Framework, ROUTES, type RouteName } from './routes.js';
import { ServerProcess } from './server-process.js';
import type { Settings } from './settings.js';

/** Distinct bare requests, cycled: the bare route does no dedupe, so repeats cost it nothing extra. */
const BARE_POOL = 1000;

/** Everything one bench run shares: its settings, the secrets both sides know, the signer, and where to log. */
export interface BenchContext {
  settings: Settings;
  secrets: BenchSecrets;
  signer: DeliverySigner;
  log: (message: string) => void;
}

/** Requests for one run of `route`: bare and raw cycle a small pool; ours get a new delivery for every request. */
function requestsFor(signer: DeliverySigner, route: RouteName, expectedRps: number, durationSec: number) {
  const spec = ROUTES[route];
  if (route === 'bare' || route === 'raw') {
    const pool = signer.pool(spec.path, spec.auth, BARE_POOL);
    return { request: (i: number) => pool[i % BARE_POOL] as Delivery, signedDuringRun: () => 0 };
  }
  // Signed before the run, with room to spare (a short run's rate can be twice the best seen so far); a shortfall is
  // signed during the run, and reported.
  const pool = signer.pool(spec.path, spec.auth, Math.ceil(expectedRps * durationSec * 2.5) + 2000);
  let extra = 0;
  const request = (i: number): Delivery => {
    const delivery = pool[i];
    if (delivery !== undefined) return delivery;
    extra++;
    return signer.sign(spec.path, spec.auth);
  };
  return { request, signedDuringRun: () => extra };
}

/**
 * Starts `framework` with `routes` in a server process, runs each route once unrecorded (warm-up), then
 * `settings.rounds` rounds of every route in turn, and checks each run: no failed answer, and on our routes one
 * handler call per 2xx (every request a fresh event).
 */
export async function measureProcess(
  context: BenchContext,
  framework: Framework,
  routes: readonly RouteName[],
): Promise<ProcessResult> {
  const { settings, secrets, signer, log } = context;
  const server = await ServerProcess.start(framework, routes, secrets);
  const result: ProcessResult = { framework, runs: new Map(), problems: [], notes: [] };
  const best = new Map<RouteName, number>();
  const run = async (route: RouteName, durationSec: number, record: boolean): Promise<void> => {
    // Ours is rarely faster than bare: size its pool for the faster of the two (30k req/s before any estimate).
    const expected = Math.max(best.get(route) ?? 0, best.get('bare') ?? 30_000);
    const { request, signedDuringRun } = requestsFor(signer, route, expected, durationSec);
    const before = await server.stats();
    const measured = await load({ port: server.port, connections: settings.connections, durationSec, request });
    const after = await server.stats();
    measured.cpuMicrosPerRequest = (after.cpuMicros - before.cpuMicros) / Math.max(1, measured.requests);
    best.set(route, Math.max(best.get(route) ?? 0, measured.rps));
    if (!record) return;
    result.runs.set(route, [...(result.runs.get(route) ?? []), measured]);
    const where = `${framework} ${route}`;
    if (signedDuringRun() > 0) {
      result.notes.push(`${where}: ${signedDuringRun()} requests signed during the run (pool too small)`);
    }
    if (measured.failed > 0) {
      result.problems.push(`${where}: ${measured.failed} failed (${JSON.stringify(measured.statusCodes)})`);
    }
    if (route !== 'bare' && route !== 'raw') {
      // Every 2xx must come from a dispatch (a fresh event, not a duplicate); requests still in flight when the run
      // ended may have been dispatched without being counted by autocannon.
      const calls = (after.dispatched[route] ?? 0) - (before.dispatched[route] ?? 0);
      if (calls < measured.ok || calls - measured.ok > settings.connections) {
        result.problems.push(`${where}: ${measured.ok} answers but ${calls} handler calls`);
      }
    }
  };
  try {
    if (settings.warmupSec > 0) for (const route of routes) await run(route, settings.warmupSec, false);
    for (let round = 0; round < settings.rounds; round++) {
      log(`  ${framework} round ${round + 1}/${settings.rounds}`);
      for (const route of routes) await run(route, settings.durationSec, true);
    }
  } finally {
    await server.close();
  }
  return result;
}
