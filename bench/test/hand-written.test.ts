// The hand-written comparison routes over real HTTP on every framework the bench runs: they must verify, dedupe and
// call their handler as the bench's wrong-answer checks assume (a 2xx of a fresh event is one handler call).
import { createHmac, randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BenchSecrets, callbackBody, randomSecrets } from '../src/deliveries.js';
import { type Framework, type HandWrittenRoute, ROUTES } from '../src/routes.js';
import { expressServer } from '../src/server/express.js';
import { fastifyServer } from '../src/server/fastify.js';
import { floorVerifier } from '../src/server/floor.js';
import { nestServer } from '../src/server/nest.js';
import { closeRedis, dispatched } from '../src/server/receivers.js';

const secrets: BenchSecrets = randomSecrets();
const otherSecret = `whsec_${randomBytes(32).toString('base64')}`;
// Body numbers far from the bench's own, distinct per test run, so no test meets another's dedupe key in Redis.
let next = 900_000_000 + Math.floor(Math.random() * 1_000_000) * 10;

interface Signed {
  body: string;
  headers: Record<string, string>;
}

function sign(body: string, options: { secret?: string; timestamp?: number } = {}): Signed {
  const secret = options.secret ?? secrets.webhook;
  const id = `msg_${randomBytes(6).toString('hex')}`;
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      'webhook-signature': `v1,${signature}`,
    },
  };
}

const SERVERS: Record<Framework, (routes: HandWrittenRoute[]) => Promise<Server>> = {
  express: (routes) => expressServer(routes, secrets),
  fastify: (routes) => fastifyServer(routes, secrets),
  'nest-express': (routes) => nestServer('express', routes, secrets),
  'nest-fastify': (routes) => nestServer('fastify', routes, secrets),
};

/** The Redis floor runs beside our Redis row, which only the Express and Fastify processes have. */
const ROUTES_OF: Record<Framework, HandWrittenRoute[]> = {
  express: ['peer', 'floor', 'redis-floor'],
  fastify: ['peer', 'floor', 'redis-floor'],
  'nest-express': ['peer', 'floor'],
  'nest-fastify': ['peer', 'floor'],
};

afterAll(closeRedis);

describe.each(Object.keys(SERVERS) as Framework[])('hand-written routes on %s', (framework) => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = await SERVERS[framework](ROUTES_OF[framework]);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  /** Posts `signed` to `route`: the status, the JSON answer, and how many handler calls it caused. */
  async function post(route: HandWrittenRoute, signed: Signed) {
    const before = dispatched[route] ?? 0;
    const response = await fetch(`${base}${ROUTES[route].path}`, {
      method: 'POST',
      headers: signed.headers,
      body: signed.body,
    });
    const answer = (await response.json()) as Record<string, unknown>;
    return { status: response.status, answer, calls: (dispatched[route] ?? 0) - before };
  }

  describe.each(ROUTES_OF[framework])('%s', (route) => {
    it('accepts a validly signed delivery with one handler call, and answers its repeat without another', async () => {
      const delivery = sign(callbackBody(next++));
      const first = await post(route, delivery);
      expect(first).toMatchObject({ status: 200, calls: 1 });
      expect(first.answer).toEqual({ ok: true });
      const repeat = await post(route, delivery);
      expect(repeat).toMatchObject({ status: 200, calls: 0 });
      expect(repeat.answer).toEqual({ ok: true, duplicate: true });
      // A new signature of the same event (Kling's retry) is the same event too.
      expect(await post(route, sign(delivery.body))).toMatchObject({ status: 200, calls: 0 });
    });

    it('refuses a bad signature with 401 and no handler call: another secret, another body, an old timestamp', async () => {
      const body = callbackBody(next++);
      const tampered = { ...sign(body), body: callbackBody(next++) };
      const stale = sign(body, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
      for (const delivery of [sign(body, { secret: otherSecret }), tampered, stale]) {
        expect(await post(route, delivery)).toMatchObject({ status: 401, calls: 0 });
      }
      // The event was never accepted: signed properly, it is still fresh.
      expect(await post(route, sign(body))).toMatchObject({ status: 200, calls: 1 });
    });

    it('refuses a signed body that is not a callback with 400 and no handler call', async () => {
      for (const body of ['{"task_id":', '[]', '{"task_status":"succeed"}']) {
        const result = await post(route, sign(body));
        expect(result).toMatchObject({ status: 400, calls: 0 });
      }
    });
  });
});

describe('floorVerifier', () => {
  const verify = floorVerifier(secrets.webhook);

  it('accepts any body signed with the secret and refuses it once one byte of the body or signature changes', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.nat(), fc.boolean(), (body, at, inSignature) => {
        const { headers } = sign(body);
        expect(verify(headers, body)).toBe(true);
        if (inSignature) {
          const signature = headers['webhook-signature'] as string;
          const i = 3 + (at % (signature.length - 3));
          const changed = signature[i] === 'A' ? 'B' : 'A';
          const bad = {
            ...headers,
            'webhook-signature': `${signature.slice(0, i)}${changed}${signature.slice(i + 1)}`,
          };
          expect(verify(bad, body)).toBe(false);
        } else {
          const i = at % body.length;
          const changed = body[i] === 'a' ? 'b' : 'a';
          expect(verify(headers, `${body.slice(0, i)}${changed}${body.slice(i + 1)}`)).toBe(false);
        }
      }),
    );
  });

  it('refuses missing headers and a signature of another version', () => {
    const { headers } = sign('{}');
    expect(verify({ ...headers, 'webhook-id': undefined }, '{}')).toBe(false);
    expect(
      verify({ ...headers, 'webhook-signature': (headers['webhook-signature'] as string).replace('v1,', 'v2,') }, '{}'),
    ).toBe(false);
  });
});
