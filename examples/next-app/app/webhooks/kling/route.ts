// Kling callbacks at /webhooks/kling: run with KLING_WEBHOOK_SECRET=whsec_... pnpm example:next
import { klingSignature, memoryStore } from '@kling-webhooks/core';
import { klingWebhooks } from '@kling-webhooks/web';
import { after } from 'next/server';

const handler = klingWebhooks({
  verify: klingSignature({ secrets: (process.env.KLING_WEBHOOK_SECRET ?? '').split(',').map((s) => s.trim()) }),
  // One instance's memory: use redisStore (@kling-webhooks/redis) when the app runs on several instances.
  store: memoryStore(),
  // Handlers that outlast the 4 s ack budget go on after the 202.
  waitUntil: after,
});

handler.receiver.on('succeed', (event) => {
  // Kling deletes result files after 30 days: copy them somewhere yours.
  for (const video of event.videos) console.log(`task ${event.taskId} succeeded: video ${video.url}`);
  for (const image of event.images) console.log(`task ${event.taskId} succeeded: image ${image.url}`);
});
handler.receiver.on('failed', (event) => {
  console.warn(`task ${event.taskId} failed: ${event.message || 'no reason given'}`);
});

export const POST = handler;
