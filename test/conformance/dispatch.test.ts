import { describe } from 'vitest';
import { dispatchCases } from './cases/dispatch.js';
import { targets } from './targets/index.js';

describe.each(targets)('$name: dispatch', (target) => dispatchCases(target));
