import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningChild, startNode } from '../examples/child.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const app = `${root}examples/express-app`;
const tsc = createRequire(`${root}package.json`).resolve('typescript/bin/tsc');
// Its own output folder (under the ignored dist/), so the examples test compiling main.ts meanwhile cannot race it.
const outDir = `${app}/dist/demo-test-${process.pid}`;

/** A summary row's number, e.g. `  duplicates suppressed    3`. */
function row(output: string, label: string): number {
  const match = output.match(new RegExp(`^ {2}${label} +(\\d+)`, 'm'));
  if (!match) throw new Error(`no "${label}" row in the summary; output:\n${output}`);
  return Number(match[1]);
}

/** The handler lines of the timeline as [task, state, source]. */
function handlerCalls(output: string): string[][] {
  return [...output.matchAll(/^ *[\d.]+s {2}handler +(\w+) +(\w+) +from (\w+)/gm)].map((m) => m.slice(1));
}

describe('pnpm demo', () => {
  let demo: RunningChild;

  beforeAll(async () => {
    // A child process imports the built packages, not the sources (CI builds them before the tests).
    for (const pkg of ['core', 'express', 'testing']) {
      if (!existsSync(`${root}packages/${pkg}/dist/index.js`)) {
        throw new Error(`packages/${pkg} is not built: run \`pnpm build\` first`);
      }
    }
    const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--outDir', outDir], {
      cwd: app,
      encoding: 'utf8',
    });
    expect(build.status, `${build.stdout}${build.stderr}`).toBe(0);
    // No environment of ours leaks in: it must run on a fresh clone with no variables set.
    demo = startNode(`${outDir}/demo/run.js`, app, { PATH: process.env.PATH });
    await demo.exited;
  }, 30_000);

  afterAll(async () => {
    await demo?.stop();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('exits 0 by itself with a summary that adds up', async () => {
    expect(await demo.exited, demo.output()).toBe(0);
    const output = demo.output();
    expect(output).toContain('OK: every task reached its terminal handler once');
    expect(output).not.toContain('PROBLEM');
    expect(row(output, 'tasks created')).toBe(4);
    expect(row(output, 'recovered by polling')).toBe(1);
    expect(row(output, 'duplicates suppressed')).toBeGreaterThanOrEqual(1);
    expect(row(output, 'failed')).toBe(1);
    expect(row(output, 'handler calls')).toBe(12);
  });

  it('prints each handler call: every state of every task once, the lost terminal one from a poll', () => {
    const calls = handlerCalls(demo.output());
    expect(calls).toHaveLength(12);
    const terminal = calls.filter(([, state]) => state === 'succeed' || state === 'failed');
    expect(terminal.map(([task]) => task).sort()).toEqual(['cat', 'eel', 'fox', 'owl']);
    expect(terminal.find(([task]) => task === 'owl')).toEqual(['owl', 'succeed', 'poll']);
    expect(terminal.find(([task]) => task === 'eel')).toEqual(['eel', 'failed', 'callback']);
    expect(new Set(calls.map(([task, state]) => `${task} ${state}`)).size).toBe(calls.length);
    expect(calls.filter(([, , source]) => source === 'poll')).toHaveLength(1);
    expect(demo.output()).toMatch(/suppressed +cat /);
  });
});
