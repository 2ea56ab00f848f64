// Renders docs/observability-dashboard.png's data: drives the built receiver and reconciler through 40 simulated
// minutes of traffic (a burst of lost callbacks, a secret rotation, a few failing and slow handlers), reads the real
// kling.* metrics after each minute with the OTel SDK, and writes dashboard.html (panels drawn as inline SVG).
// Run: pnpm build && node test/telemetry/dashboard/simulate.mjs && chromium --headless --screenshot=... (see render.sh)
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  createKlingReceiver,
  createReconciler,
  klingSignature,
  memoryStore,
  normalize,
  signKlingWebhook,
  silentLogger,
} from '../../../packages/core/dist/index.js';

class PullReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  async onForceFlush() {}
  async onShutdown() {}
}

const secret = () => `whsec_${randomBytes(24).toString('base64')}`;
const CURRENT = secret();
const OLD = secret();
const MINUTE_MS = 60_000;
const STEPS = 40;

const reader = new PullReader();
const meterProvider = new MeterProvider({ readers: [reader] });
const store = memoryStore();
let clock = Date.parse('2026-12-03T09:00:00Z');
const receiver = createKlingReceiver({
  verify: klingSignature({ secrets: [CURRENT, OLD], now: () => clock }),
  store,
  logger: silentLogger,
  ackTimeoutMs: 40,
  telemetry: { meterProvider },
});
let seed = 7;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
receiver.on('succeed', async () => {
  const r = random();
  await sleep(r < 0.04 ? 60 : 2 + Math.floor(r * 25));
  if (r > 0.985) throw new Error('storage upload failed');
});
receiver.on('failed', () => undefined);
const finalStatus = new Map();
const reconciler = createReconciler({
  client: {
    getTask: async (_product, id) =>
      normalize({ task_id: id, task_status: finalStatus.get(id) ?? 'processing' }, { source: 'poll' }),
    getTasks: async () => [],
  },
  receiver,
  store,
  fallbackAfterMs: 5 * MINUTE_MS,
  now: () => clock,
  logger: silentLogger,
  telemetry: { meterProvider },
});

let next = 880_000_000_000_000_000n;
const deliver = (id, status, signWith = CURRENT, forge = false) => {
  const body = JSON.stringify({ task_id: id, task_status: status, updated_at: clock });
  const headers = {
    'content-type': 'application/json',
    ...signKlingWebhook({ secret: signWith, body, timestamp: Math.floor(clock / 1000) }),
  };
  return receiver.handle({
    method: 'POST',
    url: '/webhooks/kling',
    headers,
    rawBody: Buffer.from(forge ? `${body} ` : body),
  });
};

async function snapshot() {
  const { resourceMetrics } = await reader.collect();
  const out = new Map();
  for (const scope of resourceMetrics.scopeMetrics)
    for (const metric of scope.metrics) out.set(metric.descriptor.name, metric.dataPoints);
  return out;
}
const sum = (snap, name, filter = () => true) =>
  (snap.get(name) ?? [])
    .filter((p) => filter(p.attributes))
    .reduce((t, p) => t + (typeof p.value === 'number' ? p.value : p.value.count), 0);
const buckets = (snap, name, filter = () => true) => {
  let bounds = [];
  let counts;
  for (const p of (snap.get(name) ?? []).filter((x) => filter(x.attributes))) {
    bounds = p.value.buckets.boundaries;
    counts = counts ? counts.map((c, i) => c + p.value.buckets.counts[i]) : [...p.value.buckets.counts];
  }
  return { bounds, counts: counts ?? [] };
};
const quantile = (q, before, after) => {
  const counts = after.counts.map((c, i) => c - (before.counts[i] ?? 0));
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const lower = i === 0 ? 0 : after.bounds[i - 1];
    const upper = after.bounds[i] ?? lower * 2;
    if (seen + counts[i] >= q * total) return lower + ((q * total - seen) / counts[i]) * (upper - lower);
    seen += counts[i];
  }
  return after.bounds.at(-1);
};

const OUTCOMES = ['processed', 'duplicate', 'out_of_order', 'accepted', 'handler_failed', 'refused'];
const series = {
  outcomes: Object.fromEntries(OUTCOMES.map((o) => [o, []])),
  p95: [],
  p50: [],
  loss: [],
  pending: [],
  oldest: [],
  secret0: [],
  secret1: [],
  recovered: [],
  byCallback: [],
};
let previous = await snapshot();
const pendingTerminal = [];
for (let step = 0; step < STEPS; step++) {
  clock += MINUTE_MS;
  const losing = step >= 14 && step < 22; // a proxy drops a third of the callbacks for 8 minutes
  const rotating = step >= 24; // secret rotation: Kling signs with the old secret only on some deliveries for a while
  const created = 30 + Math.floor(random() * 15);
  const work = [];
  const later = [];
  for (let i = 0; i < created; i++) {
    const id = String(next++);
    const status = random() < 0.93 ? 'succeed' : 'failed';
    finalStatus.set(id, status);
    await store.putPending({
      taskId: id,
      product: 'videos/text2video',
      createdAt: clock,
      dueAt: clock + 5 * MINUTE_MS,
      attempts: 0,
    });
    const signWith = rotating && random() < Math.max(0, 0.5 - (step - 24) * 0.05) ? OLD : CURRENT;
    work.push(deliver(id, 'submitted', signWith));
    pendingTerminal.push({ id, status, at: step + 2 + Math.floor(random() * 2), signWith });
  }
  for (let i = pendingTerminal.length - 1; i >= 0; i--) {
    const task = pendingTerminal[i];
    if (task.at > step) continue;
    pendingTerminal.splice(i, 1);
    if (losing && random() < 0.33) continue;
    work.push(deliver(task.id, task.status, task.signWith));
    if (random() < 0.12) later.push(task); // a redelivery
    if (random() < 0.05) later.push({ ...task, status: 'processing' }); // late, out of order
  }
  for (let i = 0, n = 1 + Math.floor(random() * 3); i < n; i++)
    work.push(deliver(String(next++), 'succeed', CURRENT, true));
  await Promise.all(work);
  await sleep(80);
  await Promise.all(later.map((task) => deliver(task.id, task.status, task.signWith)));
  await reconciler.tick();
  const now = await snapshot();
  const delta = (name, filter) => sum(now, name, filter) - sum(previous, name, filter);
  for (const outcome of OUTCOMES)
    series.outcomes[outcome].push(delta('kling.webhook.callbacks', (a) => a['kling.webhook.outcome'] === outcome));
  const h = (snap) => buckets(snap, 'kling.handler.duration');
  series.p95.push(quantile(0.95, h(previous), h(now)) * 1000);
  series.p50.push(quantile(0.5, h(previous), h(now)) * 1000);
  const byPoll = delta('kling.tasks.ended', (a) => a['kling.task.ended_by'] === 'poll');
  const byCallback = delta('kling.tasks.ended', (a) => a['kling.task.ended_by'] === 'callback');
  series.recovered.push(byPoll);
  series.byCallback.push(byCallback);
  series.loss.push(byPoll + byCallback === 0 ? 0 : byPoll / (byPoll + byCallback));
  const gauge = (name) => (now.get(name) ?? []).at(-1)?.value ?? 0;
  series.pending.push(gauge('kling.tasks.pending'));
  series.oldest.push(gauge('kling.tasks.pending.oldest_age') / 60);
  series.secret0.push(delta('kling.webhook.verifications', (a) => a['kling.webhook.secret_index'] === 0));
  series.secret1.push(delta('kling.webhook.verifications', (a) => a['kling.webhook.secret_index'] === 1));
  previous = now;
}
await sleep(100);
const final = await snapshot();
const totals = {
  callbacks: sum(final, 'kling.webhook.callbacks'),
  processed: sum(final, 'kling.webhook.callbacks', (a) => a['kling.webhook.outcome'] === 'processed'),
  recovered: sum(final, 'kling.tasks.ended', (a) => a['kling.task.ended_by'] === 'poll'),
  ended: sum(final, 'kling.tasks.ended'),
  accepted: sum(final, 'kling.webhook.ack_budget.exhausted'),
  failures: sum(final, 'kling.handler.failures'),
};
await meterProvider.shutdown();
writeFileSync(new URL('./series.json', import.meta.url), JSON.stringify({ series, totals }, null, 1));
console.log(JSON.stringify(totals));
