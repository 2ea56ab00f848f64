import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { describe, expect, it } from 'vitest';
import { coexistenceCases } from '../conformance/cases/coexistence.js';
import { dispatchCases } from '../conformance/cases/dispatch.js';
import { refusalCases } from '../conformance/cases/refusals.js';
import { type RuntimeServer, remoteTarget } from './remote-target.js';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The fixture bundled as wrangler bundles a Worker: export conditions `workerd`, `worker`, `browser`, so
 * @kling-webhooks/core resolves to its web build (Web Crypto, no node:*).
 */
async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [join(here, 'fixture', 'worker.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

let script: Promise<string> | undefined;

/** workerd (the `workerd` package miniflare depends on), with or without Node.js compatibility. */
async function startWorkerd(compatibilityFlags: string[]): Promise<RuntimeServer> {
  script ??= bundle();
  const mf = new Miniflare({
    modules: true,
    script: await script,
    compatibilityDate: '2025-09-01',
    compatibilityFlags,
    host: '127.0.0.1',
    port: 0,
  });
  const url = await mf.ready;
  return { baseUrl: url.origin, stop: () => mf.dispose() };
}

describe('the Worker bundle', () => {
  it('imports no node:* module and uses no Buffer (it must load without nodejs_compat)', async () => {
    script ??= bundle();
    const code = await script;
    expect(code).toContain('crypto.subtle');
    expect(code).not.toMatch(/from\s*["']node:|require\(["']node:|\bBuffer\./);
  });
});

for (const flags of [[], ['nodejs_compat']]) {
  const target = remoteTarget(flags.length === 0 ? 'workerd' : `workerd (${flags.join(', ')})`, () =>
    startWorkerd(flags),
  );
  describe(`${target.name}: refusals`, () => refusalCases(target));
  describe(`${target.name}: dispatch`, () => dispatchCases(target));
  describe(`${target.name}: next to other routes`, () => coexistenceCases(target));
}
