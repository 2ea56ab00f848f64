// `pnpm demo`: the Express example app receives callbacks from a mock Kling that loses one and repeats others; the
// reconciler recovers the lost one by polling; each handler call is printed as it happens, then a checked summary.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createReconciler, KlingClient, type KlingTaskEvent, memoryStore } from '@kling-webhooks/core';
import { type MockKlingEvent, mockKling, randomWebhookSecret } from '@kling-webhooks/testing';
import { callbackPath, createApp } from '../app.js';
import { behaviour, plan } from './plan.js';
import { type Summary, Tally } from './tally.js';
import { Timeline } from './timeline.js';

const apiKey = 'demo-api-key';
/** Production default is 5 minutes; short here so the lost callback is recovered while you watch. */
const fallbackAfterMs = 1_500;
/** The demo gives up (and exits 1) if the tasks have not all ended by then. */
const deadlineMs = 12_000;

const timeline = new Timeline();
const tally = new Tally();
const logger = timeline.logger((taskId) => tally.name(taskId));

// The secret you would copy from the Kling console: the mock signs with it, the app verifies with it.
const webhookSecret = randomWebhookSecret();
const kling = await mockKling({ apiKey, webhookSecret, behaviour, onEvent: showMockEvent });

// One store for the receiver's dedupe and the client's pending tasks, so a poll and a callback dedupe each other.
const store = memoryStore();
const { app, kling: middleware } = createApp({ secrets: [webhookSecret], store });
let allEnded: () => void = () => undefined;
const ended = new Promise<void>((resolve) => {
  allEnded = resolve;
});
middleware.receiver.on('*', (event) => {
  const times = tally.handled(event);
  timeline.line('handler', tally.name(event.taskId), event.status, describe(event, times));
  if (tally.ended === plan.length) allEnded();
});
const server = await listen(app.listen.bind(app));
const receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${callbackPath}`;

const client = new KlingClient(
  { apiKey },
  { baseUrl: kling.url, callback: { url: receiverUrl }, store, fallbackAfterMs, fetch: showPolls, logger },
);
const reconciler = createReconciler({
  client,
  receiver: middleware.receiver,
  store,
  fallbackAfterMs,
  intervalMs: 250,
  backoffMs: 500,
  logger,
});

console.log('kling-webhooks demo: a mock Kling API calls back the Express example app (no Kling account needed)\n');
console.log(`  mock Kling API     ${kling.url}  (signs callbacks with a whsec_ secret, like Kling)`);
console.log(`  Express receiver   ${receiverUrl}  (klingSignature + memory store)`);
console.log(`  reconciler         polls tasks whose terminal callback is ${fallbackAfterMs / 1000} s late`);
console.log(`  tasks              ${plan.map((p) => `${p.name}: ${p.fate}`).join(' · ')}\n`);
timeline.header();

reconciler.start();
for (const task of plan) await client.createTask(task.product, task.body);

let deadline: NodeJS.Timeout | undefined;
const finished = await Promise.race([
  ended.then(() => kling.whenIdle()).then(() => true),
  new Promise<false>((resolve) => {
    deadline = setTimeout(() => resolve(false), deadlineMs);
  }),
]);
clearTimeout(deadline);
await reconciler.stop();
await kling.close();
await new Promise<void>((resolve) => {
  server.close(() => resolve());
  server.closeAllConnections();
});

const summary = tally.summary(plan, kling.stats);
if (!finished) summary.problems.unshift(`not every task ended within ${deadlineMs / 1000} s`);
printSummary(summary);
process.exitCode = summary.problems.length === 0 ? 0 : 1;

function showMockEvent(event: MockKlingEvent): void {
  if (event.type === 'created') {
    const planned = plan.find((p) => p.name === event.task.externalTaskId);
    if (planned === undefined) return;
    tally.created(event.task.taskId, planned);
    timeline.line('created', planned.name, event.task.status, `${event.task.product}, task ${event.task.taskId}`);
  } else if (event.type === 'dropped') {
    timeline.line('lost', tally.name(event.taskId), event.status, 'mock Kling never sends this callback');
  } else if (event.type === 'callback') {
    const { delivery } = event;
    const outcome = tally.delivered(delivery);
    const name = tally.name(delivery.taskId);
    const answer = delivery.responseStatus === undefined ? delivery.error : `HTTP ${delivery.responseStatus}`;
    if (outcome === 'suppressed') timeline.line('suppressed', name, delivery.status, `repeated callback, ${answer}`);
    if (outcome === 'refused' || outcome === 'unanswered') {
      timeline.line('refused', name, delivery.status, `callback answered ${answer}`);
    }
  }
}

/** The client's requests, printing its polls (GETs: creates are shown by the mock's side). */
async function showPolls(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  if ((init?.method ?? 'GET') === 'GET') {
    const url = new URL(input instanceof Request ? input.url : input);
    const ids = url.searchParams.get('task_ids')?.split(',') ?? [url.pathname.split('/').at(-1) ?? ''];
    const names = ids.map((id) => tally.name(id)).join(',');
    timeline.line('poll', names, '', `GET ${url.pathname}${url.search} → HTTP ${response.status}`);
  }
  return response;
}

function describe(event: KlingTaskEvent, times: number): string {
  const result =
    event.status === 'failed'
      ? `reason: ${event.message || 'none given'}`
      : [...event.videos.map((v) => `video ${v.url}`), ...event.images.map((i) => `image ${i.url}`)].join(' ');
  const again = times > 1 ? `  << handled ${times} times!` : '';
  return `from ${event.source.padEnd(10)}${result}`.trimEnd() + again;
}

function printSummary(s: Summary): void {
  const row = (label: string, value: number, note = '') =>
    console.log(`  ${label.padEnd(22)} ${String(value).padStart(3)}${note ? `   ${note}` : ''}`);
  const { callbacksSent, callbacksDropped } = kling.stats;
  console.log('\nSummary');
  row('tasks created', s.created, 'both API dialects');
  row('callbacks received', s.callbacksReceived, `mock Kling sent ${callbacksSent}, lost ${callbacksDropped}`);
  row('handler calls', s.handlerCalls, 'one per state of each task');
  row('duplicates suppressed', s.duplicatesSuppressed);
  row('recovered by polling', s.recoveredByPolling);
  row('failed', s.failed);
  if (s.problems.length === 0) {
    console.log('\nOK: every task reached its terminal handler once, and no state was handled twice.');
  } else {
    for (const problem of s.problems) console.error(`PROBLEM: ${problem}`);
  }
}

function listen(start: (port: number, host: string, ready: () => void) => Server): Promise<Server> {
  return new Promise((resolve) => {
    const server = start(0, '127.0.0.1', () => resolve(server));
  });
}
