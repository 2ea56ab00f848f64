import type { ConformanceTarget } from '../target.js';
import { expressTarget } from './express.js';
import { fastifyTarget } from './fastify.js';

/** Every adapter setup the conformance suite runs against. */
export const targets: readonly ConformanceTarget[] = [expressTarget, fastifyTarget];
