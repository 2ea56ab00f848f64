// Runs vitest with its JSON reporter next to the default one and prints the one closing line CI reads:
// "N passed, N failed". Exits non-zero when anything failed or nothing ran.
// The Redis tests need a Redis: when none answers at REDIS_URL, a throwaway redis-server from PATH serves this run
// (see redis-for-tests.mjs); without one the run fails at once, saying how to install it.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { buildNextApps } from './next-apps.mjs';
import { ensureRedis } from './redis-for-tests.mjs';

let redis;
try {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: read by this script, which turbo does not run (no cache).
  redis = await ensureRedis({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
} catch (error) {
  console.error(error.message);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

try {
  buildNextApps();
} catch (error) {
  await redis.stop();
  console.error(error.message);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const out = join(mkdtempSync(join(tmpdir(), 'kling-vitest-')), 'report.json');
// Run vitest's own bin with this node: no need for pnpm on PATH.
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const child = spawn(
  process.execPath,
  [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)],
  { stdio: 'inherit', env: { ...process.env, REDIS_URL: redis.url, KLING_NEXT_APPS_BUILT: '1' } },
);
// Ctrl-C or a CI timeout: let vitest end, then stop our Redis on the way out.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
const run = await new Promise((resolve) => child.on('exit', (status, signal) => resolve({ status, signal })));
await redis.stop();
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const report = JSON.parse(readFileSync(out, 'utf8'));
  passed = report.numPassedTests;
  failed = report.numFailedTests;
  skipped = report.numPendingTests + report.numTodoTests;
  // A suite that failed to load has no failed tests of its own; count it so it cannot hide.
  failed += report.testResults.filter((r) => r.status === 'failed' && r.assertionResults.length === 0).length;
} catch (error) {
  console.error(`could not read the vitest report (${error.message})`);
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 || run.status !== 0 ? 1 : 0);
