import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RuntimeServer, spawnListening } from './remote-target.js';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** Bun.serve with the fixture, from the `bun` package of the lockfile (test/package.json), not one on PATH. */
export function startBun(): Promise<RuntimeServer> {
  const bun = join(dirname(require.resolve('bun/package.json')), 'bin', 'bun.exe');
  return spawnListening(bun, ['run', join(here, 'fixture', 'bun.ts')], { cwd: here });
}

/**
 * Deno.serve with the fixture, from the `deno` package of the lockfile (its postinstall script, allowed in
 * pnpm-workspace.yaml, puts the binary beside package.json). Packages resolve from node_modules (Deno reads
 * package.json), with only the permissions the fixture needs: loopback network, reading files, the environment.
 */
export function startDeno(): Promise<RuntimeServer> {
  const deno = join(dirname(require.resolve('deno/package.json')), 'deno');
  return spawnListening(
    deno,
    [
      'run',
      '--quiet',
      '--no-prompt',
      // The fixture imports './app.js' as TypeScript under NodeNext does: Deno maps it to app.ts with this flag.
      '--sloppy-imports',
      '--allow-net=127.0.0.1,localhost',
      '--allow-read',
      '--allow-env',
      join(here, 'fixture', 'deno.ts'),
    ],
    { cwd: here, env: { DENO_NO_UPDATE_CHECK: '1' } },
  );
}
