import { describe } from 'vitest';
import { refusalCases } from './cases/refusals.js';
import { targets } from './targets/index.js';

describe.each(targets)('$name: refusals', (target) => refusalCases(target));
