import { randomBytes } from 'node:crypto';
import { type KlingLogger, type KlingRequest, signKlingWebhook } from '@kling-webhooks/core';

/** A fresh Kling webhook secret per test file. */
export const SECRET = `whsec_${randomBytes(24).toString('base64')}`;

/** A random 18-digit Kling task id. */
export function taskId(): string {
  return `8${randomBytes(8).readBigUInt64BE().toString().padStart(17, '0').slice(0, 17)}`;
}

/** A legacy-dialect callback body as Kling sends it. */
export function legacyBody(id: string, status: string, extra: Record<string, unknown> = {}): string {
  const result =
    status === 'succeed'
      ? { task_result: { videos: [{ id: 'v-1', url: 'https://cdn.example.com/v.mp4', duration: '5.1' }] } }
      : {};
  return JSON.stringify({
    task_id: id,
    task_status: status,
    task_status_msg: status === 'failed' ? 'content policy' : '',
    created_at: 1774805076166,
    updated_at: 1774805190123,
    ...result,
    ...extra,
  });
}

/** A POST request carrying `body`, signed with SECRET like Kling signs it. */
export function signedRequest(body: string, overrides: Partial<KlingRequest> = {}): KlingRequest {
  const rawBody = Buffer.from(body);
  return {
    method: 'POST',
    url: '/webhooks/kling',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(rawBody.byteLength),
      ...signKlingWebhook({ secret: SECRET, body: rawBody }),
    },
    rawBody,
    ...overrides,
  };
}

/** An async iterable of chunks that records how many were pulled (a stand-in for a Node request stream). */
export function chunkStream(chunks: Uint8Array[]): AsyncIterable<Uint8Array> & { pulled: number } {
  const stream = {
    pulled: 0,
    async *[Symbol.asyncIterator]() {
      for (const chunk of chunks) {
        stream.pulled++;
        yield chunk;
      }
    },
  };
  return stream;
}

/** A logger that keeps every line, serialized, for assertions. */
export function captureLogger(): KlingLogger & { lines: string[]; at(level: string): string[] } {
  const lines: string[] = [];
  const write =
    (level: string) =>
    (message: string, context?: Record<string, unknown>): void => {
      lines.push(`${level} ${message} ${context === undefined ? '' : JSON.stringify(context)}`);
    };
  return {
    lines,
    at: (level) => lines.filter((line) => line.startsWith(`${level} `)),
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
  };
}

/** A promise with its resolve and reject exposed. */
export function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Parses a response body. */
export function json(response: { body: string }): Record<string, unknown> {
  return JSON.parse(response.body) as Record<string, unknown>;
}
