import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createKlingReceiver,
  KlingClient,
  type KlingReceiver,
  type KlingStore,
  type KlingTaskEvent,
  silentLogger,
} from '@kling-webhooks/core';
import { type FakeKlingApi, fakeKlingApi, klingError, ok, type SeenRequest } from './fake-kling-api.js';

/** A task the fake API knows: its dialect and current status (the dialect's own spelling). */
export interface ApiTask {
  id: string;
  legacy: boolean;
  status: 'submitted' | 'processing' | 'succeed' | 'failed';
  /**
   * How queries treat it: `unreadable` answers it in a shape no parser accepts (its neighbours stay fine), `refused`
   * makes Kling refuse any batched query that names it with a parameter error (code 1201). Default `ok`.
   */
  fault?: 'ok' | 'unreadable' | 'refused';
}

/**
 * A fake Kling that creates tasks, answers queries of both dialects from `tasks`, can slow or fail queries, and
 * records which tasks were being queried at the same moment.
 */
export interface TaskApi {
  api: FakeKlingApi;
  tasks: Map<string, ApiTask>;
  /** Query answers wait this long (to make concurrent polls overlap). */
  queryDelayMs: number;
  /** When set, queries answer this Kling error. */
  failQueries: { status: number; code: number } | undefined;
  /** How often each task was queried. */
  polls: Map<string, number>;
  /** Times a task was queried while another query of it was still open. */
  overlaps: number;
  /** Query requests only (GET). */
  queries(): SeenRequest[];
  /** The callback body Kling would send for a task now. */
  callbackBody(id: string): string;
}

let nextId = 900_000_000_000_000_000n;

function body(task: ApiTask): Record<string, unknown> {
  if (task.fault === 'unreadable')
    return task.legacy ? { task_id: task.id, task_status: 7 } : { id: task.id, status: 7 };
  const video = { id: `v-${task.id}`, url: `https://cdn.example.com/${task.id}.mp4`, duration: '5.1' };
  if (task.legacy) {
    return {
      task_id: task.id,
      task_status: task.status,
      ...(task.status === 'succeed' ? { task_result: { videos: [video] } } : {}),
    };
  }
  return {
    id: task.id,
    status: task.status === 'succeed' ? 'succeeded' : task.status,
    outputs: task.status === 'succeed' ? [{ type: 'video', ...video }] : [],
  };
}

export async function taskApi(): Promise<TaskApi> {
  const open = new Map<string, number>();
  const state: TaskApi = {
    api: await fakeKlingApi(),
    tasks: new Map(),
    queryDelayMs: 0,
    failQueries: undefined,
    polls: new Map(),
    overlaps: 0,
    queries: () => state.api.requests.filter((r) => r.method === 'GET'),
    callbackBody: (id) => JSON.stringify(body(state.tasks.get(id) as ApiTask)),
  };
  const query = async (ids: string[]) => {
    for (const id of ids) {
      state.polls.set(id, (state.polls.get(id) ?? 0) + 1);
      if ((open.get(id) ?? 0) > 0) state.overlaps++;
      open.set(id, (open.get(id) ?? 0) + 1);
    }
    await sleep(state.queryDelayMs);
    for (const id of ids) open.set(id, (open.get(id) ?? 1) - 1);
    return ids.flatMap((id) => {
      const task = state.tasks.get(id);
      return task ? [body(task)] : [];
    });
  };
  state.api.respond = async (request) => {
    if (request.method === 'POST') {
      const task: ApiTask = { id: String(nextId++), legacy: request.path.startsWith('/v1/'), status: 'submitted' };
      state.tasks.set(task.id, task);
      return ok(body(task));
    }
    if (state.failQueries) return klingError(state.failQueries.status, state.failQueries.code);
    if (request.path === '/tasks') {
      const ids = (request.query.get('task_ids') ?? '').split(',');
      if (ids.some((id) => state.tasks.get(id)?.fault === 'refused')) return klingError(400, 1201, 'invalid task_ids');
      return ok(await query(ids));
    }
    const [found] = await query([request.path.split('/').pop() as string]);
    return found ? ok(found) : klingError(404, 1203, 'task not found');
  };
  return state;
}

/** A receiver (verification off: these tests are about dedupe) behind a real HTTP server, with its handler calls. */
export interface CallbackSide {
  receiver: KlingReceiver;
  url: string;
  calls: KlingTaskEvent[];
  /** While set, handlers wait for it (to hold an event in flight). */
  gate: Promise<void> | undefined;
  /** Handlers throw this many more times. */
  failNext: number;
  /** POSTs a callback body; resolves with the HTTP status. */
  deliver(body: string): Promise<number>;
  close(): Promise<void>;
}

export async function callbackSide(store: KlingStore): Promise<CallbackSide> {
  const receiver = createKlingReceiver({ verify: 'none', store, logger: silentLogger });
  const side: CallbackSide = {
    receiver,
    url: '',
    calls: [],
    gate: undefined,
    failNext: 0,
    deliver: async (payload) =>
      (await fetch(side.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload }))
        .status,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  receiver.on('*', async (event) => {
    side.calls.push(event);
    await side.gate;
    if (side.failNext > 0) {
      side.failNext--;
      throw new Error('handler failed on purpose');
    }
  });
  const server: Server = createServer(async (req, res) => {
    const answer = await receiver.handle({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      rawBody: req,
    });
    res.writeHead(answer.status, answer.headers).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  side.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/kling`;
  return side;
}

/** A client against the fake API that records tasks in `store`, on the given clock. */
export function clientFor(api: TaskApi, store: KlingStore, now: () => number, fallbackAfterMs: number): KlingClient {
  return new KlingClient(
    { apiKey: 'reconciler-test-key' },
    {
      baseUrl: api.api.url,
      store,
      now,
      fallbackAfterMs,
      retries: 0,
      callback: { url: 'https://app.example.com/webhooks/kling' },
      logger: silentLogger,
    },
  );
}
