// `node bench/dist/breakdown.js [--quick] [--routes a,b]`: where the time of our Fastify route goes. One Fastify process runs the
// bare route and routes that each add one step of ours; their server CPU per request, measured alternately, shows
// what each step costs under load. Prints a markdown table and writes bench/results/breakdown.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DeliverySigner, randomSecrets } from './deliveries.js';
import { measureProcess } from './measure.js';
import { median } from './median.js';
import { cpuMicros, machine } from './report.js';
import type { RouteName } from './routes.js';
import { FULL, QUICK, type Settings } from './settings.js';

const quick = process.argv.includes('--quick');
// `--routes signature,memory`: only these steps (with a CPU profile, BENCH_CPU_PROF, of just what they run).
const only = process.argv[process.argv.indexOf('--routes') + 1]?.split(',');
const settings: Settings = quick ? QUICK : { ...FULL, rounds: 10 };

/** Each step, what it does, and the step it adds to. */
const STEPS: readonly [RouteName, string, RouteName | undefined][] = [
  ['bare', "Fastify's own JSON route", undefined],
  ['raw', 'our adapter without the receiver: body taken and parsed, same answer', 'bare'],
  ['pipeline', "the receiver: verify 'none', a store that keeps nothing, normalize, dispatch", 'raw'],
  ['memory', 'the memory store: claim, complete, terminal mark', 'pipeline'],
  ['sha256', 'one node:crypto SHA-256 of the body, as a function verifier', 'memory'],
  [
    'signature',
    'klingSignature: HMAC-SHA256 over id.timestamp.body, base64 signature header (the full route)',
    'memory',
  ],
];

async function main(): Promise<void> {
  const secrets = randomSecrets();
  const log = (message: string): void => {
    process.stderr.write(`${message}\n`);
  };
  const steps = STEPS.filter(([route]) => !process.argv.includes('--routes') || only?.includes(route));
  const routes = steps.map(([route]) => route);
  const result = await measureProcess(
    { settings, secrets, signer: new DeliverySigner(secrets), log },
    'fastify',
    routes,
  );
  const lines = [
    `## Where the time of the Fastify route goes (${settings.rounds} rounds of ${settings.durationSec} s, medians)`,
    '',
    machine(),
    '',
    '| Route | adds | to | req/s | server CPU µs/req | + µs |',
    '|---|---|---|--:|--:|--:|',
  ];
  const micros = new Map(steps.map(([route]) => [route, cpuMicros(result.runs.get(route) ?? [])]));
  for (const [route, what, base] of steps) {
    const runs = result.runs.get(route) ?? [];
    const own = micros.get(route) ?? Number.NaN;
    const baseline = base === undefined ? undefined : micros.get(base);
    const added = baseline === undefined || Number.isNaN(baseline) ? '' : (own - baseline).toFixed(1);
    const rps = Math.round(median(runs.map((r) => r.rps)));
    lines.push(`| ${route} | ${what} | ${base ?? ''} | ${rps} | ${own.toFixed(1)} | ${added} |`);
  }
  if (result.problems.length > 0) lines.push('', 'Problems:', ...result.problems.map((p) => `- ${p}`));
  const report = lines.join('\n');
  process.stdout.write(`${report}\n`);
  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}breakdown.md`, `${report}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
