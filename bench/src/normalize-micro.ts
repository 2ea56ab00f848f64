// `node bench/dist/normalize-micro.js`: µs per call of `normalize` over a legacy and a new-dialect callback body (parsed
// objects, as the receiver hands them over), and of `receiver.handle` in-process (verify 'none', memory store, one
// sync handler, a fresh task id per request). Medians of rounds, each round timing many calls after a warm-up.
import { createKlingReceiver, normalize, silentLogger } from '@kling-webhooks/core';
import { median } from './median.js';

const ROUNDS = 15;
const CALLS = 20_000;

const legacy = (id: string) => ({
  task_id: id,
  task_status: 'succeed',
  task_status_msg: '',
  created_at: 1774805076166,
  updated_at: 1774805190123,
  task_info: { external_task_id: 'order-42' },
  task_result: {
    videos: [{ id: 'v-1', url: 'https://cdn.example.com/v.mp4', duration: '5.1', watermark_url: 'https://x/w' }],
  },
  final_unit_deduction: '1',
});
const current = (id: string) => ({
  id,
  status: 'succeeded',
  message: '',
  external_id: 'order-42',
  create_time: 1785901861504,
  update_time: 1785901861504,
  outputs: [{ type: 'video', id: 'v-1', url: 'https://x/v.mp4', watermark_url: 'https://x/w', duration: '5.1' }],
  billing: [{ charge_type: 'c', amount: '1', currency: 'USD' }],
});

function perCall(run: (i: number) => unknown): number {
  for (let i = 0; i < CALLS; i++) run(i);
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) run(i);
    rounds.push(Number(process.hrtime.bigint() - start) / 1000 / CALLS);
  }
  return median(rounds);
}

async function perRequest(make: (id: string) => object): Promise<number> {
  const receiver = createKlingReceiver({ verify: 'none', logger: silentLogger });
  receiver.on('*', () => {});
  let n = 0;
  const request = () => {
    const rawBody = Buffer.from(JSON.stringify(make(`t${n++}`)));
    return { method: 'POST', url: '/', headers: { 'content-type': 'application/json' }, rawBody };
  };
  for (let i = 0; i < CALLS; i++) await receiver.handle(request());
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const requests = Array.from({ length: CALLS / 4 }, request);
    const start = process.hrtime.bigint();
    for (const req of requests) await receiver.handle(req);
    rounds.push(Number(process.hrtime.bigint() - start) / 1000 / requests.length);
  }
  return median(rounds);
}

const legacyBody = legacy('867283741759111202');
const newBody = current('913827032734642185');
const rows: [string, number][] = [
  ['normalize, legacy body', perCall(() => normalize(legacyBody))],
  ['normalize, new-dialect body', perCall(() => normalize(newBody))],
  ['receiver.handle, legacy body', await perRequest(legacy)],
  ['receiver.handle, new-dialect body', await perRequest(current)],
];
for (const [name, us] of rows) console.log(`${name}: ${us.toFixed(2)} µs`);
