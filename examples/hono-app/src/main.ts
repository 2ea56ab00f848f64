// A small Hono app receiving Kling callbacks, on Node: run it with KLING_WEBHOOK_SECRET=whsec_... pnpm example:hono
// The same app runs on Bun (`export default app`) or Deno (`Deno.serve(app.fetch)`): see packages/web/README.md.
import { serve } from '@hono/node-server';
import { KlingConfigError, klingSignature, memoryStore } from '@kling-webhooks/core';
import { type KlingFetchHandler, klingWebhooks } from '@kling-webhooks/web';
import { Hono } from 'hono';

const secret = process.env.KLING_WEBHOOK_SECRET;
if (secret === undefined || secret.trim() === '') {
  console.error(
    'KLING_WEBHOOK_SECRET is not set: copy the Webhook Secret (whsec_...) from the Kling console and run\n' +
      '  KLING_WEBHOOK_SECRET=whsec_... pnpm example:hono\n' +
      '(during a rotation, give both secrets separated by a comma).\n' +
      'To try it without a Kling account, run the mock Kling API: it prints a secret to use here and a curl line\n' +
      'that creates a task whose callbacks come to this app:\n' +
      '  node packages/testing/dist/cli.js simulate   (from the repository root; elsewhere:\n' +
      '  npx -p @kling-webhooks/testing kling-webhooks simulate)',
  );
  process.exit(1);
}
const port = Number(process.env.PORT ?? 3000);
const callbackPath = '/webhooks/kling';

let kling: KlingFetchHandler;
try {
  kling = klingWebhooks({
    verify: klingSignature({ secrets: secret.split(',').map((s) => s.trim()) }),
    store: memoryStore(),
  });
} catch (error) {
  if (!(error instanceof KlingConfigError)) throw error;
  console.error(`KLING_WEBHOOK_SECRET is not usable: ${error.message}`);
  process.exit(1);
}

kling.receiver.on('succeed', (event) => {
  // Kling deletes result files after 30 days: copy them somewhere yours.
  for (const video of event.videos) console.log(`task ${event.taskId} succeeded: video ${video.url}`);
  for (const image of event.images) console.log(`task ${event.taskId} succeeded: image ${image.url}`);
});
kling.receiver.on('failed', (event) => {
  console.warn(`task ${event.taskId} failed: ${event.message || 'no reason given'}`);
});
kling.receiver.onError((error, event) => {
  console.error(`handling task ${event?.taskId ?? '?'} failed after the answer was sent`, error);
});

const app = new Hono();
// Every method reaches the handler: POST is processed, others get 405 with `Allow: POST`.
app.all(callbackPath, (c) => kling(c.req.raw));
app.get('/health', (c) => c.json({ ok: true }));

serve({ fetch: app.fetch, port }, (info) => {
  console.log(`listening on http://localhost:${info.port} — Kling callbacks go to ${callbackPath}`);
});
