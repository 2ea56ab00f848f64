// `node bench/dist/profile.js <framework> <route,...> [--rounds n] [--out dir]`: one server process with just these
// routes under the bench's load (same settings as `pnpm bench`), with a V8 CPU profile of the server. Prints each
// route's req/s and server CPU per request, then the profile's self time by package and by function. To see where a
// route's time goes, give it alone (`nest-fastify signature`): the profile then holds only its requests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliverySigner, randomSecrets } from './deliveries.js';
import { measureProcess } from './measure.js';
import { median } from './median.js';
import { selfTimeTable } from './profile-summary.js';
import { cpuMicros, machine } from './report.js';
import { type Framework, ROUTES, type RouteName } from './routes.js';
import { FULL } from './settings.js';

const FRAMEWORKS: readonly Framework[] = ['express', 'fastify', 'nest-express', 'nest-fastify'];

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
}

async function main(): Promise<void> {
  const [framework, list] = process.argv.slice(2);
  const routes = (list ?? '').split(',').filter((route): route is RouteName => route in ROUTES);
  if (!FRAMEWORKS.includes(framework as Framework) || routes.length === 0) {
    console.error(`usage: node bench/dist/profile.js <${FRAMEWORKS.join('|')}> <route,...> [--rounds n] [--out dir]`);
    process.exit(2);
  }
  const out = option('--out') ?? mkdtempSync(join(tmpdir(), 'kling-bench-profile-'));
  // Read by ServerProcess: the server runs under `node --cpu-prof` and writes its profile there when it exits.
  process.env.BENCH_CPU_PROF = out;
  const secrets = randomSecrets();
  const settings = { ...FULL, rounds: Number(option('--rounds') ?? FULL.rounds) };
  const log = (message: string): void => {
    process.stderr.write(`${message}\n`);
  };
  const result = await measureProcess(
    { settings, secrets, signer: new DeliverySigner(secrets), log },
    framework as Framework,
    routes,
  );
  const file = join(out, `${framework}-${routes.join('-')}.cpuprofile`);
  const lines = [
    `## ${framework}: ${routes.join(', ')} (${settings.rounds} rounds of ${settings.durationSec} s, medians)`,
    '',
    machine(),
    `- profile: ${file}`,
    '',
    '| Route | req/s | server CPU µs/req |',
    '|---|--:|--:|',
    ...[...result.runs].map(
      ([route, runs]) =>
        `| ${route} | ${Math.round(median(runs.map((r) => r.rps)))} | ` + `${cpuMicros(runs).toFixed(1)} |`,
    ),
    '',
    selfTimeTable(file, 'package', 15),
    '',
    selfTimeTable(file, 'function', 25),
  ];
  if (result.problems.length > 0) lines.push('', 'Problems:', ...result.problems.map((p) => `- ${p}`));
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
