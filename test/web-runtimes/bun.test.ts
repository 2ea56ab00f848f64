import { describe } from 'vitest';
import { coexistenceCases } from '../conformance/cases/coexistence.js';
import { dispatchCases } from '../conformance/cases/dispatch.js';
import { refusalCases } from '../conformance/cases/refusals.js';
import { remoteTarget } from './remote-target.js';
import { startBun } from './runtimes.js';

/** Bun.serve with the web handler, Bun's own TypeScript loader and module resolution. */
const target = remoteTarget('bun', startBun);

describe(`${target.name}: refusals`, () => refusalCases(target));
describe(`${target.name}: dispatch`, () => dispatchCases(target));
describe(`${target.name}: next to other routes`, () => coexistenceCases(target));
