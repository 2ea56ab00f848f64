import { randomUUID } from 'node:crypto';
import { type ApiEnvelope, envelope } from '../builders.js';
import { checkAuthorization, type MockCredentials } from './auth.js';
import { type TaskBook, taskBody } from './tasks.js';
import type { MockApi, MockApiError, MockApiRequest, MockBehaviour, MockTask } from './types.js';

/** An answer to write: HTTP status and the `{code, message, request_id, data}` envelope. */
export interface ApiAnswer {
  status: number;
  body: ApiEnvelope<unknown>;
}

/** What the routes need from the mock. */
export interface RouteContext {
  book: TaskBook;
  credentials: MockCredentials;
  behaviour: () => MockBehaviour;
  /** Starts a created task's life (its callbacks and state changes). */
  started: (task: MockTask) => void;
}

/** Legacy products of docs/kling-protocol.md §5 (any other `/v1/...` path creates too, as new products appear). */
const legacyProducts = new Set([
  'videos/text2video',
  'videos/image2video',
  'videos/multi-image2video',
  'videos/omni-video',
  'videos/video-extend',
  'videos/advanced-lip-sync',
  'videos/identify-face',
  'videos/lip-sync',
  'videos/effects',
  'videos/motion-control',
  'images/generations',
  'images/omni-image',
  'images/multi-image2image',
  'images/editing/expand',
  'images/kolors-virtual-try-on',
  'general/ai-multi-shot',
]);

function ok(data: unknown): ApiAnswer {
  return { status: 200, body: envelope(data) };
}

/** An error answer in Kling's envelope (`data: null`). */
export function fail(error: MockApiError): ApiAnswer {
  return {
    status: error.status,
    body: { code: error.code, message: error.message ?? 'error', request_id: randomUUID(), data: null },
  };
}

const notFound = (what: string): ApiAnswer => fail({ status: 404, code: 1203, message: `${what} does not exist` });
const badParameter = (message: string): ApiAnswer => fail({ status: 400, code: 1201, message });

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function optionalString(record: Record<string, unknown> | undefined, key: string): string | undefined | Error {
  const value = record?.[key];
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? value : new Error(`${key} must be a string`);
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

function create(context: RouteContext, api: MockApi, product: string, rawBody: string): ApiAnswer {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return fail({ status: 400, code: 1200, message: 'request body is not valid JSON' });
  }
  const request = asRecord(json);
  if (!request) return fail({ status: 400, code: 1200, message: 'request body must be a JSON object' });
  // Legacy takes the callback settings at the top level, the new dialect under `options`.
  const source = api === 'legacy' ? request : asRecord(request.options);
  const callbackUrl = optionalString(source, 'callback_url');
  const externalTaskId = optionalString(source, 'external_task_id');
  if (callbackUrl instanceof Error) return badParameter(callbackUrl.message);
  if (externalTaskId instanceof Error) return badParameter(externalTaskId.message);
  if (callbackUrl !== undefined && !isHttpUrl(callbackUrl)) return badParameter('callback_url is not a valid URL');
  if (externalTaskId !== undefined && !context.book.isFree(externalTaskId)) {
    return badParameter('external_task_id already exists');
  }
  const task = context.book.create({ api, product, request, callbackUrl, externalTaskId }, (t) =>
    Boolean(context.behaviour().fail?.(t)),
  );
  context.started(task);
  return ok(taskBody(task, api));
}

function queryMany(context: RouteContext, query: URLSearchParams): ApiAnswer {
  const split = (name: string) =>
    (query.get(name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const taskIds = split('task_ids');
  const externalIds = split('external_task_ids');
  if (taskIds.length === 0 && externalIds.length === 0) {
    return badParameter('task_ids or external_task_ids is required');
  }
  const found = [
    ...taskIds.map((id) => context.book.byId.get(id)),
    ...externalIds.map((id) => context.book.findByExternalId(id)),
  ].filter((task): task is MockTask => task !== undefined);
  return ok([...new Set(found)].map((task) => taskBody(task, 'new')));
}

function list(context: RouteContext, api: MockApi, product: string | undefined, query: URLSearchParams): ApiAnswer {
  const page = Math.max(1, Number(query.get('pageNum') ?? 1) || 1);
  const size = Math.min(500, Math.max(1, Number(query.get('pageSize') ?? 30) || 30));
  const tasks = [...context.book.byId.values()]
    .filter((task) => product === undefined || task.product === product)
    .reverse()
    .slice((page - 1) * size, page * size);
  return ok(tasks.map((task) => taskBody(task, api)));
}

/** Routes one API request (docs/kling-protocol.md §5) and checks its authorization (§4). */
export async function route(context: RouteContext, request: MockApiRequest, rawBody: string): Promise<ApiAnswer> {
  const intercepted = context.behaviour().intercept?.(request);
  if (intercepted) return fail(intercepted);
  const { method, path, query } = request;
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  const api: MockApi = segments[0] === 'v1' ? 'legacy' : 'new';
  const authorization = request.headers.authorization;
  const denied = await checkAuthorization(
    typeof authorization === 'string' ? authorization : undefined,
    context.credentials,
    api,
  );
  if (denied) return fail(denied);

  if (api === 'legacy') {
    const rest = segments.slice(1);
    if (rest.length < 2) return notFound('resource');
    if (method === 'POST') return create(context, 'legacy', rest.join('/'), rawBody);
    if (method !== 'GET') return fail({ status: 405, code: 1202, message: 'request method is invalid' });
    const task = context.book.find(rest.at(-1) ?? '');
    if (task) return task.product === rest.slice(0, -1).join('/') ? ok(taskBody(task, 'legacy')) : notFound('task');
    const product = rest.join('/');
    if (legacyProducts.has(product) || query.has('pageNum')) return list(context, 'legacy', product, query);
    return notFound('task');
  }

  if (segments.length === 1 && segments[0] === 'tasks') {
    if (method === 'GET') return queryMany(context, query);
    if (method === 'POST') return list(context, 'new', undefined, query);
  }
  if (segments.length === 2 && method === 'POST') return create(context, 'new', segments.join('/'), rawBody);
  return notFound('resource');
}
