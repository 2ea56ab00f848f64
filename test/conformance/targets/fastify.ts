import { klingWebhooks } from '@kling-webhooks/fastify';
import Fastify from 'fastify';
import { type ConformanceTarget, receiverOptionsOf, registerHandlers } from '../target.js';

/** The Fastify plugin, registered on the root instance, a JSON route beside it. */
export const fastifyTarget: ConformanceTarget = {
  name: 'fastify',
  async start(options) {
    const app = Fastify({ logger: false });
    await app.register(klingWebhooks, {
      path: options.path,
      ...receiverOptionsOf(options),
      logger: options.logger,
    });
    registerHandlers(app.kling, options.handlers);
    const worker = options.worker?.(app.kling);
    app.post('/api/echo', async (request) => request.body);
    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    return {
      baseUrl,
      close: async () => {
        await app.close();
        await worker?.close();
      },
    };
  },
};
