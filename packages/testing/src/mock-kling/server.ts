import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomWebhookSecret } from '../ids.js';
import { Courier } from './courier.js';
import { type ApiAnswer, fail, route } from './routes.js';
import { TaskBook } from './tasks.js';
import type { MockBehaviour, MockDelivery, MockKling, MockKlingEvent, MockKlingOptions, MockTask } from './types.js';
import { WorkTracker } from './work.js';

const maxRequestBytes = 1024 * 1024;

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxRequestBytes) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function write(response: ServerResponse, answer: ApiAnswer): void {
  const body = JSON.stringify(answer.body);
  response.writeHead(answer.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/**
 * Starts a mock Kling API on a real HTTP server: both dialects' create and query endpoints, both auth modes, and a
 * life for each task (submitted → processing → succeed|failed, one state per `stepMs`) with each state POSTed to its
 * `callback_url`, signed with a `whsec_` secret as Kling signs, and as unreliable as `behaviour` asks (dropped,
 * duplicated, delayed, reordered callbacks; failed tasks). Queries always answer the current state, so a dropped
 * callback can be recovered by polling.
 *
 * @example
 * ```ts
 * const kling = await mockKling({ apiKey: 'test-key', behaviour: { drop: (_task, status) => status === 'succeed' } });
 * const client = new KlingClient({ apiKey: 'test-key' }, { baseUrl: kling.url });
 * // ... later
 * await kling.close();
 * ```
 */
export async function mockKling(options: MockKlingOptions = {}): Promise<MockKling> {
  const webhookSecret = options.webhookSecret === false ? undefined : (options.webhookSecret ?? randomWebhookSecret());
  let behaviour: MockBehaviour = { ...options.behaviour };
  const book = new TaskBook();
  const stats = { created: 0, callbacksSent: 0, callbacksDropped: 0, callbacksDuplicated: 0, callbacksFailed: 0 };
  const deliveries: MockDelivery[] = [];
  const work = new WorkTracker();
  const timers = new Set<NodeJS.Timeout>();
  const emit = (event: MockKlingEvent): void => options.onEvent?.(event);
  const courier = new Courier({ webhookSecret, behaviour: () => behaviour, stats, deliveries, work, timers, emit });
  let closed = false;

  const schedule = (task: MockTask): void => {
    work.start();
    const timer = setTimeout(() => {
      timers.delete(timer);
      const status = book.advance(task);
      if (status !== undefined) {
        emit({ type: 'advanced', task });
        courier.deliver(task, status);
        if (status === 'processing') schedule(task);
      }
      work.end();
    }, behaviour.stepMs ?? 200);
    timers.add(timer);
  };

  const started = (task: MockTask): void => {
    stats.created++;
    emit({ type: 'created', task });
    // Kling answers the create request before its first callback.
    work.start();
    setImmediate(() => {
      if (!closed) {
        courier.deliver(task, 'submitted');
        schedule(task);
      }
      work.end();
    });
  };

  const credentials = { apiKey: options.apiKey, accessKey: options.accessKey, secretKey: options.secretKey };
  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      if (body === undefined)
        return write(response, fail({ status: 413, code: 1200, message: 'request body too large' }));
      const url = new URL(request.url ?? '/', 'http://mock.invalid');
      let answer: ApiAnswer;
      try {
        answer = await route(
          { book, credentials, behaviour: () => behaviour, started },
          { method: request.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: request.headers },
          body,
        );
      } catch {
        answer = fail({ status: 400, code: 1200, message: 'invalid request' });
      }
      write(response, answer);
    })().catch(() => {
      if (!response.headersSent) write(response, fail({ status: 500, code: 5000, message: 'server internal error' }));
      else response.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = ['0.0.0.0', '::'].includes(address.address) ? '127.0.0.1' : address.address;
  const url = `http://${address.family === 'IPv6' && host !== '127.0.0.1' ? `[${host}]` : host}:${address.port}`;

  return {
    url,
    webhookSecret,
    tasks: book.byId,
    callbacksSent: deliveries,
    stats,
    setBehaviour(change) {
      behaviour = { ...behaviour, ...change };
    },
    whenIdle: () => work.idle(),
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      courier.abort();
      work.drain();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
