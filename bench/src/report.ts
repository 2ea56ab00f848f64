import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import type { LoadResult } from './load.js';
import { median } from './median.js';
import type { MemoryReport } from './memory-growth.js';
import { type Framework, isOurs, type RouteName } from './routes.js';
import type { Settings } from './settings.js';

/** The measured runs of one server process, per route, and what went wrong in them. */
export interface ProcessResult {
  framework: Framework;
  runs: Map<RouteName, LoadResult[]>;
  /** Wrong answers: a non-2xx, or a 2xx of ours without a handler call. The run fails. */
  problems: string[];
  /** What may have held a number down without making it wrong (requests signed during a run). */
  notes: string[];
}

export interface SlowResult {
  ackTimeoutMs: number;
  result: LoadResult;
}

export interface ReportInput {
  settings: Settings;
  processes: readonly ProcessResult[];
  slow: SlowResult;
  memory: MemoryReport;
  elapsedSec: number;
  /** What the run's checks found wrong ({@link problemsOf}). */
  problems: readonly string[];
}

const FRAMEWORK_NAMES: Record<Framework, string> = {
  express: 'Express',
  fastify: 'Fastify',
  'nest-express': 'Nest on Express',
  'nest-fastify': 'Nest on Fastify',
};

const ROUTE_NAMES: Record<Exclude<RouteName, 'bare'>, string> = {
  raw: 'body taken and parsed, no receiver',
  pipeline: "receiver, verify 'none', store that keeps nothing",
  memory: "receiver, verify 'none' · memory store",
  sha256: 'receiver, one SHA-256 of the body · memory store',
  signature: 'Kling signature · memory store',
  token: 'callback token · memory store',
  redis: 'Kling signature · Redis store',
  queued: 'Kling signature · Redis store · BullMQ queue (handlers in workers)',
  slow: 'Kling signature · memory store · handler sleeps 30 s',
  peer: 'peer (hand-written): standardwebhooks verify · zod · Map',
  floor: 'floor (hand-written): one HMAC · JSON.parse · Map',
  'redis-floor': 'Redis floor (hand-written): one HMAC · JSON.parse · SET NX PX',
};

/** The targets of issue 6: a share of the bare route's req/s in the same run. */
function target(framework: Framework, route: RouteName): number | undefined {
  if (route === 'redis') return 0.7;
  if (route !== 'signature' && route !== 'token') return undefined;
  return framework === 'express' || framework === 'nest-express' ? 0.9 : 0.85;
}

/** The targets of issue 13: a share of the floor's and of the peer's req/s in the same rounds. */
const FLOOR_TARGET = 0.9;
const REDIS_FLOOR_TARGET = 0.85;
const PEER_TARGET = 1.25;

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : '–');
const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
const ratio = (n: number): string => n.toFixed(2);
/** The median over runs of the server's CPU time per answered request, in µs. */
export function cpuMicros(runs: readonly LoadResult[]): number {
  return median(runs.map((r) => r.cpuMicrosPerRequest ?? Number.NaN));
}
const cpu = (runs: readonly LoadResult[]): string => cpuMicros(runs).toFixed(0);

/** When and where the numbers were taken. */
export function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const load = loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
  return [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${availableParallelism()} CPUs (nproc), ${cpu}, ${mb(totalmem() / 1024)} GB RAM, Linux ${release()}`,
    `- node ${process.version}; load average at the end of the run: ${load}`,
  ].join('\n');
}

/**
 * `a`'s req/s over `b`'s, per round, and their median. Each round runs every route of a process in turn: the ratio
 * within a round compares them on the same machine state, and the median over rounds drops a round where the machine
 * slowed down for one of the two only.
 */
export function pairedRatios(a: readonly LoadResult[], b: readonly LoadResult[]): { median: number; rounds: number[] } {
  const rounds = a.map((r, i) => r.rps / (b[i]?.rps ?? Number.NaN));
  return { median: median(rounds), rounds };
}

const verdictOf = (share: number, goal: number): string => `≥ ${ratio(goal)} ${share >= goal ? 'met' : 'missed'}`;

function speedTable(processes: readonly ProcessResult[]): string {
  const lines = [
    '| Framework | Route (every request a new event) | req/s | p50 ms | p99 ms | CPU µs/req | bare req/s | bare p50 ms | bare p99 ms | bare CPU µs/req | × bare | per round | target |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|',
  ];
  for (const process of processes) {
    const bare = process.runs.get('bare') ?? [];
    const bareRps = median(bare.map((r) => r.rps));
    for (const [route, runs] of process.runs) {
      if (route === 'bare') continue;
      const rps = median(runs.map((r) => r.rps));
      const { median: share, rounds: perRound } = pairedRatios(runs, bare);
      const rounds = perRound.map(ratio).join(' ');
      const goal = target(process.framework, route);
      const verdict = goal === undefined ? '' : verdictOf(share, goal);
      lines.push(
        `| ${FRAMEWORK_NAMES[process.framework]} | ${ROUTE_NAMES[route]} | ${int(rps)} | ${ms(median(runs.map((r) => r.p50)))} | ` +
          `${ms(median(runs.map((r) => r.p99)))} | ${cpu(runs)} | ${int(bareRps)} | ${ms(median(bare.map((r) => r.p50)))} | ` +
          `${ms(median(bare.map((r) => r.p99)))} | ${cpu(bare)} | ${ratio(share)} | ${rounds} | ${verdict} |`,
      );
    }
  }
  return lines.join('\n');
}

/**
 * Ours against the hand-written routes of the same process and rounds: ÷ floor (the Redis floor for the Redis row) and
 * ÷ peer, as medians of per-round ratios.
 */
function comparisonTable(processes: readonly ProcessResult[]): string {
  const lines = [
    '| Framework | Our route | ours ÷ floor | per round | target | ours ÷ peer | per round | target |',
    '|---|---|--:|---|---|--:|---|---|',
  ];
  for (const process of processes) {
    for (const [route, runs] of process.runs) {
      if (!isOurs(route)) continue;
      const onRedis = route === 'redis' || route === 'queued';
      const floorRuns = process.runs.get(onRedis ? 'redis-floor' : 'floor');
      const peerRuns = process.runs.get('peer');
      if (floorRuns === undefined && peerRuns === undefined) continue;
      const cells = (other: readonly LoadResult[] | undefined, goal: number): string => {
        if (other === undefined) return '– | | ';
        const { median: share, rounds } = pairedRatios(runs, other);
        return `${ratio(share)} | ${rounds.map(ratio).join(' ')} | ${verdictOf(share, goal)}`;
      };
      const floorGoal = onRedis ? REDIS_FLOOR_TARGET : FLOOR_TARGET;
      lines.push(
        `| ${FRAMEWORK_NAMES[process.framework]} | ${ROUTE_NAMES[route]} | ${cells(floorRuns, floorGoal)} | ` +
          `${cells(peerRuns, PEER_TARGET)} |`,
      );
    }
  }
  return lines.length === 2 ? '' : lines.join('\n');
}

function slowTable({ ackTimeoutMs, result }: SlowResult): string {
  const statuses = Object.entries(result.statusCodes)
    .map(([status, count]) => `${count} × ${status}`)
    .join(', ');
  const within = result.p99 <= ackTimeoutMs * 1.05 ? 'within' : 'over';
  return [
    '| Row | answers | p50 ms | p99 ms | max ms | ackTimeoutMs | p99 − ackTimeoutMs |',
    '|---|---|--:|--:|--:|--:|--:|',
    `| Fastify · ${ROUTE_NAMES.slow} | ${statuses || 'none'} | ${ms(result.p50)} | ${ms(result.p99)} | ${ms(result.max)} | ` +
      `${ackTimeoutMs} | ${(result.p99 - ackTimeoutMs).toFixed(0)} ms (${within} 5%) |`,
  ].join('\n');
}

function memoryTable(memory: MemoryReport): string {
  const lines = [
    '| Keys in the store | heap growth MB | RSS growth MB | ns per claim + complete |',
    '|--:|--:|--:|--:|',
  ];
  for (const point of memory.checkpoints) {
    lines.push(
      `| ${int(point.keys)} | ${mb(point.heapGrowthBytes)} | ${mb(point.rssGrowthBytes)} | ${int(point.nsPerClaim)} |`,
    );
  }
  const last = memory.checkpoints.at(-1);
  if (last !== undefined) {
    lines.push(`| ${int(last.keys)} (full: each insert evicts the oldest) | | | ${int(memory.nsPerClaimWhenFull)} |`);
  }
  return lines.join('\n');
}

/** What the checks of a run found wrong: the processes' problems, and any slow-row answer other than a 202. */
export function problemsOf(input: Pick<ReportInput, 'processes' | 'slow'>): string[] {
  const problems = input.processes.flatMap((p) => p.problems);
  const { statusCodes, failed } = input.slow.result;
  const others = Object.entries(statusCodes).filter(([status]) => status !== '202');
  if (others.length > 0 || failed > 0) {
    problems.push(`slow row: answers other than 202 (${JSON.stringify(statusCodes)}, ${failed} failed)`);
  }
  return problems;
}

/** The markdown report of one run. */
export function renderReport(input: ReportInput): string {
  const { settings, processes, problems } = input;
  const notes = processes.flatMap((p) => p.notes);
  const runs = processes.reduce((n, p) => n + [...p.runs.values()].reduce((m, r) => m + r.length, 0), 0);
  return [
    `## kling-webhooks bench (${settings.name}${settings.name === 'quick' ? ': a smoke run, not for comparing' : ''})`,
    '',
    machine(),
    `- ${settings.connections} connections, ${settings.rounds} round(s) of ${settings.durationSec} s per route ` +
      `${settings.warmupSec > 0 ? `after a ${settings.warmupSec} s warm-up` : 'without a warm-up'}; bare, the ` +
      `hand-written routes and ours alternate within each round; medians shown; run took ` +
      `${input.elapsedSec.toFixed(0)} s`,
    '',
    speedTable(processes),
    '',
    comparisonTable(processes),
    '',
    slowTable(input.slow),
    '',
    memoryTable(input.memory),
    '',
    problems.length === 0
      ? `Checks: all ${runs} measured runs answered 2xx only, and every 2xx of our routes and of the hand-written ones came from a handler call (a fresh event, not a duplicate).`
      : `Problems:\n${problems.map((p) => `- ${p}`).join('\n')}`,
    ...(notes.length === 0 ? [] : ['', `Notes:\n${notes.map((n) => `- ${n}`).join('\n')}`]),
  ].join('\n');
}
