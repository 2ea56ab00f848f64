import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';
import { coexistenceCases } from '../conformance/cases/coexistence.js';
import { dispatchCases } from '../conformance/cases/dispatch.js';
import { refusalCases } from '../conformance/cases/refusals.js';
import { remoteTarget, spawnListening } from './remote-target.js';

const here = dirname(fileURLToPath(import.meta.url));
// The `deno` package of the lockfile (test/package.json), not one on PATH.
// Its postinstall script (allowed in pnpm-workspace.yaml) puts the binary beside package.json.
const deno = join(dirname(createRequire(import.meta.url).resolve('deno/package.json')), 'deno');

/**
 * Deno.serve with the web handler; packages resolve from node_modules (Deno reads package.json), with only the
 * permissions the fixture needs: loopback network, reading the workspace, the environment.
 */
const target = remoteTarget('deno', () =>
  spawnListening(
    deno,
    [
      'run',
      '--quiet',
      '--no-prompt',
      // The fixture imports './app.js' as TypeScript under NodeNext does: Deno maps it to app.ts with this flag.
      '--sloppy-imports',
      '--allow-net=127.0.0.1',
      '--allow-read',
      '--allow-env',
      join(here, 'fixture', 'deno.ts'),
    ],
    { cwd: here, env: { DENO_NO_UPDATE_CHECK: '1' } },
  ),
);

describe(`${target.name}: refusals`, () => refusalCases(target));
describe(`${target.name}: dispatch`, () => dispatchCases(target));
describe(`${target.name}: next to other routes`, () => coexistenceCases(target));
