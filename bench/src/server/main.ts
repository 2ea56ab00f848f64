// A server under test, in its own process: `node server/main.js <framework> <route>...`. It reports its port, answers
// stats requests (handler calls per route, RSS) and exits on `close`. It only verifies: the bench signs.
import type { AddressInfo } from 'node:net';
import type { BenchSecrets } from '../deliveries.js';
import type { BenchMessage, Framework, RouteName, ServerMessage } from '../routes.js';
import { expressServer } from './express.js';
import { fastifyServer } from './fastify.js';
import { nestServer } from './nest.js';
import { closeRedis, dispatched, settleQueues } from './receivers.js';

const send = (message: ServerMessage): void => {
  process.send?.(message);
};

const [framework, ...routes] = process.argv.slice(2) as [Framework, ...RouteName[]];
const secrets = JSON.parse(process.env.BENCH_SECRETS ?? '{}') as BenchSecrets;

function start() {
  switch (framework) {
    case 'express':
      return expressServer(routes, secrets);
    case 'fastify':
      return fastifyServer(routes, secrets);
    case 'nest-express':
      return nestServer('express', routes, secrets);
    case 'nest-fastify':
      return nestServer('fastify', routes, secrets);
    default:
      throw new Error(`unknown framework ${String(framework)}`);
  }
}

try {
  const server = await start();
  process.on('message', async (message: BenchMessage) => {
    if (message.type === 'stats') {
      // Drops the queued route's jobs between runs, outside the CPU time a run is charged.
      await settleQueues();
      const cpu = process.cpuUsage();
      send({
        type: 'stats',
        dispatched: { ...dispatched },
        rssBytes: process.memoryUsage.rss(),
        cpuMicros: cpu.user + cpu.system,
      });
    } else if (message.type === 'close') {
      server.closeAllConnections();
      void closeRedis().finally(() => process.exit(0));
    }
  });
  // Exit with the bench, whatever happens to it.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', port: (server.address() as AddressInfo).port });
} catch (error) {
  send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
}
