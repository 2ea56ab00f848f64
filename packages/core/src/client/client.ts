import { KlingConfigError } from '../errors.js';
import { isTerminalStatus, type KlingTaskEvent } from '../event.js';
import { consoleLogger, type KlingLogger } from '../logger.js';
import { normalize } from '../normalize.js';
import { randomUUID } from '../platform/random-id.js';
import { KlingValidationError } from '../schemas/validation-error.js';
import type { KlingPendingTasks, KlingTaskPairings } from '../store/types.js';
import { signCallbackUrl } from '../verify/sign-callback-url.js';
import { createAuthorizer, type KlingAuth } from './auth.js';
import { wholeNumberOption } from './check.js';
import { KlingApiError, KlingTaskNotFoundError } from './errors.js';
import { type KlingProduct, parseProduct } from './products.js';
import { createTransport, type KlingTransport } from './transport.js';
import type {
  KlingCallbackOptions,
  KlingClientOptions,
  KlingCreatedTask,
  KlingGetTasksOptions,
  KlingInvalidTask,
  KlingNoPromises,
  KlingTaskBody,
} from './types.js';

const defaultBaseUrl = 'https://api-singapore.klingai.com';

/**
 * A small client for Kling's task API, built for callbacks: every task it creates gets your `callback_url` (with a
 * callback token bound to the task when `callback.secret` is set) and an `external_task_id`, and is recorded as
 * pending in the store so the reconciler can poll it if its terminal callback never comes.
 *
 * Speaks both dialects (docs/kling-protocol.md §5): legacy products (`videos/text2video`, `images/generations`, ...;
 * `POST /v1/<product>`, callback fields at the top level) and the new `<product>/<model>` (`text-to-video/kling-3.0`;
 * callback fields under `options`). Authenticates with an API key (Bearer) or an access/secret key pair (an HS256 JWT
 * made with jose, cached and renewed 5 minutes before it expires). Credentials are never logged nor put in errors.
 *
 * @example
 * const kling = new KlingClient({ apiKey: process.env.KLING_API_KEY! }, {
 *   callback: { url: 'https://example.com/webhooks/kling' },
 *   store,
 * });
 * const task = await kling.createTask('videos/text2video', { model_name: 'kling-v2-6', prompt: 'a red fox' });
 */
export class KlingClient {
  readonly #call: KlingTransport;
  readonly #callback: KlingCallbackOptions | undefined;
  readonly #store: (KlingPendingTasks & Partial<KlingTaskPairings>) | undefined;
  readonly #pairingTtlMs: number;
  readonly #now: () => number;
  readonly #fallbackAfterMs: number;
  readonly #queryBatchSize: number;
  readonly #logger: KlingLogger;

  constructor(auth: KlingAuth, options: KlingClientOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? consoleLogger();
    this.#callback = options.callback;
    this.#store = options.store;
    this.#fallbackAfterMs = nonNegative(options.fallbackAfterMs ?? 300_000, 'fallbackAfterMs');
    this.#pairingTtlMs = positiveInteger(options.pairingTtlMs ?? 30 * 24 * 3600 * 1000, 'pairingTtlMs');
    this.#queryBatchSize = positiveInteger(options.queryBatchSize ?? 50, 'queryBatchSize');
    if (options.callback && !/^https?:\/\//i.test(options.callback.url)) {
      throw new KlingConfigError('KlingClient: callback.url must be an absolute http(s) URL');
    }
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function')
      throw new KlingConfigError('KlingClient: no fetch available; pass options.fetch');
    this.#call = createTransport({
      baseUrl: options.baseUrl ?? defaultBaseUrl,
      authorizer: createAuthorizer(auth, this.#now),
      fetch: fetchImpl,
      timeoutMs: positiveInteger(options.timeoutMs ?? 30_000, 'timeoutMs'),
      retries: nonNegative(options.retries ?? 3, 'retries'),
      retryBaseMs: nonNegative(options.retryBaseMs ?? 500, 'retryBaseMs'),
      retryMaxMs: nonNegative(options.retryMaxMs ?? 10_000, 'retryMaxMs'),
      random: options.random ?? Math.random,
      logger: this.#logger,
    });
  }

  /**
   * Creates a task on `product` (`videos/text2video`, `text-to-video/kling-3.0`, ...). Adds `callback_url` and
   * `external_task_id` where the dialect wants them unless `body` already has them, and records the task as pending.
   * Never retried: a create that timed out may still have created (and billed) the task; query it by its external
   * id before trying again. A body holding a promise (an un-awaited `signCallbackUrl(...)`) does not compile.
   */
  async createTask<B extends KlingTaskBody>(product: string, body: B & KlingNoPromises<B>): Promise<KlingCreatedTask> {
    const target = parseProduct(product);
    const { body: sent, externalTaskId } = await this.#withCallbackFields(target, body);
    const answer = await this.#call({ method: 'POST', path: target.createPath, body: sent });
    const event = normalize(answer.data, { source: 'poll' });
    const created: KlingCreatedTask = {
      taskId: event.taskId,
      externalTaskId: event.externalTaskId ?? externalTaskId,
      status: event.status,
      rawStatus: event.rawStatus,
      createdAt: event.createdAt,
      product: target.name,
      dialect: target.dialect,
      requestId: answer.requestId,
      tracked: false,
      event,
    };
    // The pairing first: the task's first callback may already be on its way, and the receiver waits for it.
    await this.#pair(created);
    if (this.#store && !isTerminalStatus(event.status)) created.tracked = await this.#track(created);
    return created;
  }

  /**
   * The Kling task id of the task created with `externalTaskId`, asked from Kling (new dialect: `GET /tasks`, no
   * product needed; legacy: give the `product` it was created on). `undefined` when Kling does not know it. Pass
   * `(ext) => kling.findTaskId(ext)` as the receiver's `lookupTask` to accept callback tokens of tasks whose pairing
   * the store does not hold (created by another client, or the pairing expired).
   */
  async findTaskId(externalTaskId: string, product?: string): Promise<string | undefined> {
    try {
      if (product !== undefined) {
        const event = await this.getTask(product, externalTaskId);
        return event.externalTaskId === externalTaskId ? event.taskId : undefined;
      }
      const events = await this.#query([externalTaskId], 'externalTaskId', (task) => this.#logInvalid(task));
      return events.find((event) => event.externalTaskId === externalTaskId)?.taskId;
    } catch (error) {
      if (error instanceof KlingTaskNotFoundError) return undefined;
      if (error instanceof KlingApiError && error.category === 'params') return undefined;
      throw error;
    }
  }

  async #pair(task: KlingCreatedTask): Promise<void> {
    if (this.#store?.pairTask === undefined) return;
    try {
      await this.#store.pairTask(task.externalTaskId, task.taskId, this.#pairingTtlMs);
    } catch (error) {
      // Same as #track: never fail a billed create. Its token-verified callbacks get 503 until a lookup knows it.
      this.#logger.error("could not record the task pairing; its callbacks need the receiver's lookupTask", {
        taskId: task.taskId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /**
   * The current state of one task, by Kling task id or your external task id. Legacy products ask
   * `GET /v1/<product>/<id>`; new-dialect ones `GET /tasks?task_ids=` (then `external_task_ids=`).
   * @throws KlingTaskNotFoundError when Kling answers without it.
   */
  async getTask(product: string, idOrExternalId: string): Promise<KlingTaskEvent> {
    const target = parseProduct(product);
    if (target.dialect === 'legacy') {
      const path = `${target.createPath}/${encodeURIComponent(idOrExternalId)}`;
      return normalize((await this.#call({ method: 'GET', path })).data, { source: 'poll' });
    }
    // Kling task ids are digits; ours are UUIDs. Ask the likelier field first, the other when that finds nothing.
    const order: ('taskId' | 'externalTaskId')[] = /^\d+$/.test(idOrExternalId)
      ? ['taskId', 'externalTaskId']
      : ['externalTaskId', 'taskId'];
    for (const by of order) {
      let found: KlingTaskEvent | undefined;
      let unreadable: KlingInvalidTask | undefined;
      try {
        const invalid: KlingInvalidTask[] = [];
        const events = await this.#query([idOrExternalId], by, (task) => invalid.push(task));
        found =
          events.find((e) => (by === 'taskId' ? e.taskId : e.externalTaskId) === idOrExternalId) ??
          (events.length === 1 ? events[0] : undefined);
        // The task asked for came back but cannot be read: say so rather than "not found".
        unreadable =
          invalid.find((task) => task.taskId === idOrExternalId) ?? (invalid.length === 1 ? invalid[0] : undefined);
      } catch (error) {
        if (!(error instanceof KlingApiError && error.category === 'params')) throw error;
      }
      if (found) return found;
      if (unreadable) throw unreadable.error;
    }
    throw new KlingTaskNotFoundError(target.name, idOrExternalId);
  }

  /**
   * The current states of many new-dialect tasks, `queryBatchSize` ids per `GET /tasks?task_ids=a,b` request.
   * Tasks Kling does not return are missing from the result (no error). Each task of an answer stands alone: one
   * that cannot be read is left out and reported to `options.onInvalid` (or logged with its id), the others are
   * returned. A request that fails rejects the call.
   */
  async getTasks(ids: readonly string[], options: KlingGetTasksOptions = {}): Promise<KlingTaskEvent[]> {
    const unique = [...new Set(ids)];
    const events: KlingTaskEvent[] = [];
    const onInvalid = options.onInvalid ?? ((task: KlingInvalidTask) => this.#logInvalid(task));
    for (let i = 0; i < unique.length; i += this.#queryBatchSize) {
      const chunk = unique.slice(i, i + this.#queryBatchSize);
      events.push(...(await this.#query(chunk, options.by ?? 'taskId', onInvalid)));
    }
    return events;
  }

  async #query(
    ids: readonly string[],
    by: 'taskId' | 'externalTaskId',
    onInvalid: (task: KlingInvalidTask) => void,
  ): Promise<KlingTaskEvent[]> {
    const field = by === 'taskId' ? 'task_ids' : 'external_task_ids';
    const answer = await this.#call({
      method: 'GET',
      path: '/tasks',
      query: `${field}=${ids.map(encodeURIComponent).join(',')}`,
    });
    const tasks = Array.isArray(answer.data) ? answer.data : answer.data == null ? [] : [answer.data];
    const events: KlingTaskEvent[] = [];
    // Normalized one by one: a task Kling sends malformed must not hide its healthy neighbours.
    for (const task of tasks) {
      try {
        events.push(normalize(task, { source: 'poll' }));
      } catch (error) {
        if (!(error instanceof KlingValidationError)) throw error;
        onInvalid({ taskId: rawTaskId(task), error });
      }
    }
    return events;
  }

  #logInvalid(task: KlingInvalidTask): void {
    this.#logger.warn('Kling returned a task that cannot be read; left out', {
      taskId: task.taskId,
      error: task.error.message,
    });
  }

  async #withCallbackFields(
    target: KlingProduct,
    body: KlingTaskBody,
  ): Promise<{ body: KlingTaskBody; externalTaskId: string }> {
    const holder: Record<string, unknown> =
      target.dialect === 'legacy' ? { ...body } : { ...(isRecord(body.options) ? body.options : {}) };
    const given = holder.external_task_id;
    const externalTaskId = typeof given === 'string' && given.length > 0 ? given : randomUUID();
    holder.external_task_id = externalTaskId;
    if (this.#callback && holder.callback_url === undefined) {
      const { url, secret, expiresIn } = this.#callback;
      holder.callback_url = secret
        ? await signCallbackUrl(url, { secret, externalTaskId, ...(expiresIn === undefined ? {} : { expiresIn }) })
        : url;
    }
    return { body: target.dialect === 'legacy' ? holder : { ...body, options: holder }, externalTaskId };
  }

  async #track(task: KlingCreatedTask): Promise<boolean> {
    const now = this.#now();
    try {
      await this.#store?.putPending({
        taskId: task.taskId,
        product: task.product,
        externalTaskId: task.externalTaskId,
        createdAt: now,
        dueAt: now + this.#fallbackAfterMs,
        attempts: 0,
      });
      return true;
    } catch (error) {
      // The task exists and is billed: failing createTask now would invite a second create. Report, don't throw.
      this.#logger.error('could not record the task as pending; it will not be polled', {
        taskId: task.taskId,
        error: error instanceof Error ? error.message : String(error),
      });
      return false;
    }
  }
}

/** The id of a task Kling sent, read without trusting its shape (`task_id` legacy, `id` new dialect). */
function rawTaskId(task: unknown): string | undefined {
  if (!isRecord(task)) return undefined;
  const id = task.task_id ?? task.id;
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? String(id) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const positiveInteger = (value: number, name: string) => wholeNumberOption('KlingClient', name, value, 1);
const nonNegative = (value: number, name: string) => wholeNumberOption('KlingClient', name, value, 0);
