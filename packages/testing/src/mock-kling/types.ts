import type { CallbackDialect, CallbackStatus, ImageResult, VideoResult } from '../builders.js';

/** Which endpoint family created a task: `legacy` (`POST /v1/<product>`) or `new` (`POST /<product>/<model>`). */
export type MockApi = 'legacy' | 'new';

/** A task the mock holds. Mutated as it advances; read it, don't write it. */
export interface MockTask {
  taskId: string;
  externalTaskId?: string;
  /** `videos/text2video`, `images/generations`, `image-to-video/kling-3.0`, ... */
  product: string;
  api: MockApi;
  status: CallbackStatus;
  message: string;
  /** Unix ms. */
  createdAt: number;
  /** Unix ms. */
  updatedAt: number;
  callbackUrl?: string;
  /** Whether this task will end `failed` (decided at creation by `behaviour.fail`). */
  willFail: boolean;
  /** Results, fixed at creation so that callbacks and queries report the same ids and URLs. */
  videos: Required<VideoResult>[];
  images: Required<ImageResult>[];
  /** The create request's JSON body. */
  request: Record<string, unknown>;
}

/** A per-task (and per-state) choice: a constant or a function of the task. */
export type PerCallback<T> = T | ((task: MockTask, status: CallbackStatus) => T);

/** How the mock misbehaves. Every field can be changed while it runs (`setBehaviour`). */
export interface MockBehaviour {
  /** Time between states (submitted → processing → succeed|failed). Default 200 ms. */
  stepMs?: number;
  /** Extra copies of each callback (each a separate request with its own `webhook-id`). Default 0. */
  duplicate?: PerCallback<number>;
  /** Wait this long before sending each callback. Default 0. */
  delayMs?: PerCallback<number>;
  /**
   * Hold back a task's non-terminal callbacks and send them after its terminal one, newest first (so a receiver
   * sees `succeed`, then `processing`, then `submitted`). Default false.
   */
  reorder?: boolean | ((task: MockTask) => boolean);
  /** Return true to never send this callback (the task still advances; a query shows the state). */
  drop?: (task: MockTask, status: CallbackStatus) => boolean;
  /** Return true to make a task end `failed`. */
  fail?: (task: MockTask) => boolean;
  /** Body shape of callbacks. Default: the dialect of the endpoint the task was created on. */
  dialect?: CallbackDialect | ((task: MockTask) => CallbackDialect);
  /**
   * Answer an API request with an error instead (to test retries and error mapping): return
   * `{ status: 429, code: 1302 }` and the mock replies so, with the usual envelope.
   */
  intercept?: (request: MockApiRequest) => MockApiError | undefined;
}

/** An API request as `behaviour.intercept` sees it. */
export interface MockApiRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** An error answer: HTTP status, Kling `code`, optional message. */
export interface MockApiError {
  status: number;
  code: number;
  message?: string;
}

/** Options of `mockKling`. */
export interface MockKlingOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /**
   * The `whsec_` secret callbacks are signed with, as in Kling's console. Default: a fresh random one. `false` sends
   * callbacks unsigned (Kling's behaviour when no secret was created).
   */
  webhookSecret?: string | false;
  /** Accepted as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** With `secretKey`: JWTs `{iss: accessKey, exp, nbf}` signed HS256 with `secretKey` are accepted (legacy API only). */
  accessKey?: string;
  /** @see accessKey */
  secretKey?: string;
  behaviour?: MockBehaviour;
  /** Called for every task created, callback sent and callback dropped (for logs and demos). */
  onEvent?: (event: MockKlingEvent) => void;
}

/** One callback request the mock made. */
export interface MockDelivery {
  taskId: string;
  status: CallbackStatus;
  url: string;
  /** The `webhook-id` header (absent when unsigned). */
  deliveryId?: string;
  /** True for the extra copies `behaviour.duplicate` asked for. */
  duplicate: boolean;
  /** The receiver's HTTP status; absent when no answer came (see `error`). */
  responseStatus?: number;
  error?: string;
  /** Milliseconds the receiver took. */
  ms: number;
}

/** Something the mock did. */
export type MockKlingEvent =
  | { type: 'created'; task: MockTask }
  | { type: 'advanced'; task: MockTask }
  | { type: 'callback'; delivery: MockDelivery }
  | { type: 'dropped'; taskId: string; status: CallbackStatus };

/** Counters for demos and assertions. */
export interface MockKlingStats {
  created: number;
  /** Callback requests made (duplicates included). */
  callbacksSent: number;
  callbacksDropped: number;
  /** Extra copies sent. */
  callbacksDuplicated: number;
  /** Callback requests that got no 2xx answer. */
  callbacksFailed: number;
}

/** A running mock Kling API. */
export interface MockKling {
  /** Base URL, e.g. `http://127.0.0.1:54321`: give it to `KlingClient` as `baseUrl`. */
  readonly url: string;
  /** The `whsec_` secret callbacks are signed with (undefined when they are sent unsigned). */
  readonly webhookSecret: string | undefined;
  /** Every task, by task id. */
  readonly tasks: ReadonlyMap<string, MockTask>;
  /** Every callback request made, in order. */
  readonly callbacksSent: readonly MockDelivery[];
  readonly stats: Readonly<MockKlingStats>;
  /** Changes some behaviour for what happens from now on. */
  setBehaviour(behaviour: Partial<MockBehaviour>): void;
  /** Resolves when every task has ended and every callback (and held-back one) has been answered. */
  whenIdle(): Promise<void>;
  /** Stops timers, aborts callbacks in flight and closes the server. */
  close(): Promise<void>;
}
