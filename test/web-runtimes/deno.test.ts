import { describe } from 'vitest';
import { coexistenceCases } from '../conformance/cases/coexistence.js';
import { dispatchCases } from '../conformance/cases/dispatch.js';
import { refusalCases } from '../conformance/cases/refusals.js';
import { remoteTarget } from './remote-target.js';
import { startDeno } from './runtimes.js';

/** Deno.serve with the web handler, Deno's own TypeScript loader, packages from node_modules. */
const target = remoteTarget('deno', startDeno);

describe(`${target.name}: refusals`, () => refusalCases(target));
describe(`${target.name}: dispatch`, () => dispatchCases(target));
describe(`${target.name}: next to other routes`, () => coexistenceCases(target));
