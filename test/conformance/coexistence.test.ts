import { describe } from 'vitest';
import { coexistenceCases } from './cases/coexistence.js';
import { targets } from './targets/index.js';

describe.each(targets)('$name: next to other routes', (target) => coexistenceCases(target));
