import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coexistenceCases } from '../conformance/cases/coexistence.js';
import { dispatchCases } from '../conformance/cases/dispatch.js';
import { refusalCases } from '../conformance/cases/refusals.js';
import { type RuntimeServer, remoteTarget, spawnListening } from './remote-target.js';

const app = fileURLToPath(new URL('../next-app', import.meta.url));
// The `next` of the fixture app's lockfile entry (test/next-app/package.json).
const next = join(app, 'node_modules', 'next', 'dist', 'bin', 'next');
const env = { NEXT_TELEMETRY_DISABLED: '1' };

/** A free loopback port (`next start` takes a port, not 0). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// `next build` once per run (about 30 s here; `pnpm test` builds before vitest starts and says so with
// KLING_NEXT_APPS_BUILT=1), then one `next start` serves both routes for every case.
beforeAll(async () => {
  if (process.env.KLING_NEXT_APPS_BUILT === '1') return;
  await promisify(execFile)(process.execPath, [next, 'build'], {
    cwd: app,
    env: { ...process.env, ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
}, 300_000);

let server: Promise<RuntimeServer> | undefined;
afterAll(async () => {
  await (await server)?.stop();
});

async function started(): Promise<RuntimeServer> {
  const port = await freePort();
  return spawnListening(process.execPath, [next, 'start', '--port', String(port), '--hostname', '127.0.0.1'], {
    cwd: app,
    env,
    pattern: new RegExp(`(${port})[\\s\\S]*Ready`),
  });
}

/** One route of the `next start` server: `/node/...` (Node.js runtime) or `/edge/...` (edge runtime). */
function route(prefix: string) {
  return async (): Promise<RuntimeServer> => {
    server ??= started();
    const { baseUrl } = await server;
    return { baseUrl: `${baseUrl}${prefix}`, stop: async () => {} };
  };
}

describe('the Next.js build', () => {
  it("bundles core's web build (Web Crypto) for the edge route and the node:crypto build for the Node.js route", async () => {
    const read = async (dir: string) => {
      const files = (await readdir(join(app, '.next', 'server', dir))).filter((file) => file.endsWith('.js'));
      const texts = await Promise.all(files.map((file) => readFile(join(app, '.next', 'server', dir, file), 'utf8')));
      return texts.filter((text) => text.includes('kling-signature')).join('\n');
    };
    const edge = await read('edge/chunks');
    const node = await read('chunks');
    expect(edge).toContain('subtle.sign(');
    expect(edge).not.toContain('createHmac');
    expect(node).toContain('createHmac');
  });
});

for (const [name, prefix] of [
  ['next start (nodejs runtime)', '/node'],
  ['next start (edge runtime)', '/edge'],
] as const) {
  const target = remoteTarget(name, route(prefix));
  describe(`${target.name}: refusals`, () => refusalCases(target));
  describe(`${target.name}: dispatch`, () => dispatchCases(target));
  describe(`${target.name}: next to other routes`, () => coexistenceCases(target));
}
