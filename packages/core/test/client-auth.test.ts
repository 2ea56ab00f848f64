import { inspect } from 'node:util';
import { KlingApiError, KlingClient } from '@kling-webhooks/core';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeKlingApi, fakeKlingApi, klingError, ok } from './fake-kling-api.js';

const accessKey = 'ak-test-7f3e';
const secretKey = 'sk-test-very-secret-5c1a9b';
const apiKey = 'api-key-test-0d4e2f';
const legacyTask = { task_id: '867283741759111202', task_status: 'succeed', created_at: 1, updated_at: 2 };

function bearer(api: FakeKlingApi, index: number): string {
  const header = api.requests[index]?.headers.authorization ?? '';
  expect(header.startsWith('Bearer ')).toBe(true);
  return header.slice('Bearer '.length);
}

describe('KlingClient authentication', () => {
  let api: FakeKlingApi;
  beforeAll(async () => {
    api = await fakeKlingApi(() => ok(legacyTask));
  });
  afterAll(() => api.close());

  it('sends an API key as a Bearer token', async () => {
    api.requests.length = 0;
    const client = new KlingClient({ apiKey }, { baseUrl: api.url });
    await client.getTask('videos/text2video', '867283741759111202');
    expect(api.requests[0]?.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(api.requests[0]?.path).toBe('/v1/videos/text2video/867283741759111202');
  });

  it('signs an HS256 JWT with exactly {iss, exp: now+1800, nbf: now-5}', async () => {
    api.requests.length = 0;
    const nowSec = 1_785_000_000;
    const client = new KlingClient({ accessKey, secretKey }, { baseUrl: api.url, now: () => nowSec * 1000 + 400 });
    await client.getTask('videos/text2video', '867283741759111202');
    const token = bearer(api, 0);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(decodeJwt(token)).toEqual({ iss: accessKey, exp: nowSec + 1800, nbf: nowSec - 5 });
    // The server side of the check: the signature verifies with the secret key (and only with it).
    const key = new TextEncoder().encode(secretKey);
    const verified = await jwtVerify(token, key, { currentDate: new Date(nowSec * 1000), algorithms: ['HS256'] });
    expect(verified.payload.iss).toBe(accessKey);
    await expect(
      jwtVerify(token, new TextEncoder().encode('other'), { currentDate: new Date(nowSec * 1000) }),
    ).rejects.toThrow();
  });

  it('reuses the token across requests and renews it 5 minutes before it expires', async () => {
    api.requests.length = 0;
    const start = 1_785_000_000;
    let nowSec = start;
    const client = new KlingClient({ accessKey, secretKey }, { baseUrl: api.url, now: () => nowSec * 1000 });
    await client.getTask('videos/text2video', '1');
    nowSec = start + 1000;
    await client.getTask('videos/text2video', '2');
    nowSec = start + 1499; // 301 s left: still used
    await client.getTask('videos/text2video', '3');
    nowSec = start + 1500; // 300 s left: renewed
    await client.getTask('videos/text2video', '4');
    await client.getTask('videos/text2video', '5');

    const tokens = api.requests.map((_, i) => bearer(api, i));
    expect(new Set(tokens.slice(0, 3)).size).toBe(1);
    expect(tokens[3]).not.toBe(tokens[0]);
    expect(tokens[4]).toBe(tokens[3]);
    expect(decodeJwt(tokens[3] as string)).toEqual({ iss: accessKey, exp: start + 1500 + 1800, nbf: start + 1495 });
  });

  it('signs once for concurrent requests', async () => {
    api.requests.length = 0;
    const client = new KlingClient({ accessKey, secretKey }, { baseUrl: api.url });
    await Promise.all(['1', '2', '3', '4'].map((id) => client.getTask('videos/text2video', id)));
    expect(new Set(api.requests.map((_, i) => bearer(api, i))).size).toBe(1);
  });

  it('renews the JWT and sends once more when Kling says it expired (1004), even for a create', async () => {
    api.requests.length = 0;
    let nowMs = 1_785_000_000_000;
    const client = new KlingClient({ accessKey, secretKey }, { baseUrl: api.url, now: () => nowMs });
    await client.getTask('videos/text2video', 'warm-up'); // caches a token
    let calls = 0;
    api.respond = () => (++calls === 1 ? klingError(401, 1004, 'Authorization has expired') : ok(legacyTask));
    nowMs += 1000; // the cached token would be reused
    const created = await client.createTask('videos/text2video', { prompt: 'fox' });
    expect(created.taskId).toBe(legacyTask.task_id);
    expect(api.requests).toHaveLength(3);
    expect(bearer(api, 2)).not.toBe(bearer(api, 1));
    api.respond = () => ok(legacyTask);
  });

  it('does not retry an auth failure with an API key, and keeps credentials out of errors and inspect()', async () => {
    api.requests.length = 0;
    api.respond = () => klingError(401, 1002, 'Authorization is invalid');
    const client = new KlingClient({ apiKey }, { baseUrl: api.url, retries: 3, retryBaseMs: 1 });
    const error = await client.getTask('videos/text2video', '1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KlingApiError);
    expect(error).toMatchObject({ code: 'KLING_API_AUTH', klingCode: 1002, status: 401, category: 'auth' });
    expect(api.requests).toHaveLength(1);
    const everything = `${inspect(error, { depth: 5 })} ${JSON.stringify(error)} ${inspect(client, { depth: 5 })}`;
    expect(everything).not.toContain(apiKey);

    const jwtClient = new KlingClient({ accessKey, secretKey }, { baseUrl: api.url, retries: 0 });
    const jwtError = await jwtClient.getTask('videos/text2video', '1').catch((e: unknown) => e);
    const token = bearer(api, 1);
    const jwtEverything = `${inspect(jwtError, { depth: 5 })} ${inspect(jwtClient, { depth: 5 })}`;
    expect(jwtEverything).not.toContain(secretKey);
    expect(jwtEverything).not.toContain(token);
    api.respond = () => ok(legacyTask);
  });

  it('rejects missing credentials at construction', () => {
    expect(() => new KlingClient({ apiKey: '' })).toThrow(/apiKey/);
    expect(() => new KlingClient({ accessKey, secretKey: '' })).toThrow(/accessKey, secretKey/);
  });
});
