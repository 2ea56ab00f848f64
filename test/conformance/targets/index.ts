import type { ConformanceTarget } from '../target.js';
import { expressTarget } from './express.js';
import { fastifyTarget } from './fastify.js';
import { honoNodeTarget } from './hono-node.js';
import { nestExpressTarget } from './nest-express.js';
import { nestFastifyTarget } from './nest-fastify.js';

/** Every adapter setup the conformance suite runs against. */
export const targets: readonly ConformanceTarget[] = [
  expressTarget,
  fastifyTarget,
  nestExpressTarget,
  nestFastifyTarget,
  honoNodeTarget,
];
