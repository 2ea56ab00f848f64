import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';
import { coexistenceCases } from '../conformance/cases/coexistence.js';
import { dispatchCases } from '../conformance/cases/dispatch.js';
import { refusalCases } from '../conformance/cases/refusals.js';
import { remoteTarget, spawnListening } from './remote-target.js';

const here = dirname(fileURLToPath(import.meta.url));
// The `bun` package of the lockfile (test/package.json), not one on PATH.
const bun = join(dirname(createRequire(import.meta.url).resolve('bun/package.json')), 'bin', 'bun.exe');

/** Bun.serve with the web handler, Bun's own TypeScript loader and module resolution. */
const target = remoteTarget('bun', () => spawnListening(bun, ['run', join(here, 'fixture', 'bun.ts')], { cwd: here }));

describe(`${target.name}: refusals`, () => refusalCases(target));
describe(`${target.name}: dispatch`, () => dispatchCases(target));
describe(`${target.name}: next to other routes`, () => coexistenceCases(target));
