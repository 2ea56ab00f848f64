// A small Fastify app receiving Kling callbacks: run it with KLING_WEBHOOK_SECRET=whsec_... pnpm example:fastify
import { KlingConfigError, klingSignature, memoryStore } from '@kling-webhooks/core';
import { klingWebhooks } from '@kling-webhooks/fastify';
import Fastify from 'fastify';

const secret = process.env.KLING_WEBHOOK_SECRET;
if (secret === undefined || secret.trim() === '') {
  console.error(
    'KLING_WEBHOOK_SECRET is not set: copy the Webhook Secret (whsec_...) from the Kling console and run\n' +
      '  KLING_WEBHOOK_SECRET=whsec_... pnpm example:fastify\n' +
      '(during a rotation, give both secrets separated by a comma).\n' +
      'To try it without a Kling account, run the mock Kling API: it prints a secret to use here and a curl line\n' +
      'that creates a task whose callbacks come to this app:\n' +
      '  node packages/testing/dist/cli.js simulate   (from the repository root; elsewhere:\n' +
      '  npx -p @kling-webhooks/testing kling-webhooks simulate)',
  );
  process.exit(1);
}
const port = Number(process.env.PORT ?? 3000);

const app = Fastify({ logger: true });
try {
  await app.register(klingWebhooks, {
    path: '/webhooks/kling',
    verify: klingSignature({ secrets: secret.split(',').map((s) => s.trim()) }),
    store: memoryStore(),
  });
} catch (error) {
  if (!(error instanceof KlingConfigError)) throw error;
  console.error(`KLING_WEBHOOK_SECRET is not usable: ${error.message}`);
  process.exit(1);
}

app.kling.on('succeed', (event) => {
  // Kling deletes result files after 30 days: copy them somewhere yours.
  for (const video of event.videos) app.log.info({ taskId: event.taskId, url: video.url }, `video ready: ${video.url}`);
  for (const image of event.images) app.log.info({ taskId: event.taskId, url: image.url }, `image ready: ${image.url}`);
});
app.kling.on('failed', (event) => {
  app.log.warn({ taskId: event.taskId }, `task failed: ${event.message || 'no reason given'}`);
});
app.kling.onError((error, event) => {
  app.log.error({ err: error, taskId: event?.taskId }, 'handling failed after the answer was sent');
});

// Other routes keep Fastify's JSON parser.
app.get('/health', async () => ({ ok: true }));

await app.listen({ port, host: '0.0.0.0' });
