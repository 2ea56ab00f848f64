import type { KlingTaskEvent } from '../event.js';
import { headerValue } from '../headers.js';
import type { KlingLogger } from '../logger.js';
import { normalize } from '../normalize.js';
import type { KlingRequest, KlingResponse } from '../request.js';
import { parseJson } from '../schemas/json.js';
import { KlingValidationError } from '../schemas/validation-error.js';
import { eventRef } from '../store/event-ref.js';
import type { KlingClaimResult } from '../store/types.js';
import { ReceiverTelemetry } from '../telemetry/receiver-telemetry.js';
import type { RequestObservation } from '../telemetry/request.js';
import { SigningWatch } from '../telemetry/signing-watch.js';
import { looksLikeTestCallback } from '../telemetry/test-callback.js';
import { isThenable } from '../thenable.js';
import { bindingMismatch, createVerification } from '../verify/compose.js';
import type { KlingVerifiableRequest, VerifyOutcome } from '../verify/types.js';
import { BUDGET_SPENT, withinBudget } from './budget.js';
import { describeError, HandlerRegistry } from './handlers.js';
import { LogLimiter } from './log-limiter.js';
import { type ResolvedReceiverOptions, resolveReceiverOptions } from './options.js';
import { PairingCheck, type PairingVerdict } from './pairing.js';
import { EventProcessor } from './process.js';
import { readBody } from './read-body.js';
import {
  acceptedResponse,
  duplicateResponse,
  handlerFailedResponse,
  inFlightResponse,
  internalErrorResponse,
  invalidBodyResponse,
  methodNotAllowedResponse,
  okResponse,
  outOfOrderResponse,
  payloadTooLargeResponse,
  queuedResponse,
  queueUnavailableResponse,
  requestTimeoutResponse,
  storeUnavailableResponse,
  taskNotPairedResponse,
  unauthorizedResponse,
  unsupportedMediaTypeResponse,
} from './responses.js';
import type {
  KlingErrorHandler,
  KlingHandler,
  KlingHandlerStatus,
  KlingProcessOutcome,
  KlingReceiver,
  KlingReceiverOptions,
} from './types.js';

/** `application/json` or `application/<anything>+json`, any case, parameters allowed. */
const JSON_MEDIA_TYPE = /^\s*application\/(?:[^\s;/]+\+)?json\s*(?:;|$)/i;
/** Seconds a sender should wait when the store is down: long enough for a failover, short for Kling's retries. */
const STORE_RETRY_AFTER_SEC = 5;
/** Seconds a sender should wait for a task pairing to be recorded (or found by the reconciler). */
const PAIRING_RETRY_AFTER_SEC = 10;

class Receiver implements KlingReceiver {
  readonly options: ResolvedReceiverOptions;
  private readonly verify: (request: KlingVerifiableRequest) => Promise<VerifyOutcome>;
  private readonly registry: HandlerRegistry;
  private readonly processor: EventProcessor;
  private readonly pairing: PairingCheck;
  private readonly logger: KlingLogger;
  private readonly limiter: LogLimiter;
  /** Whether the last claim failed: outages are logged when they start and end. */
  private storeDown = false;
  /** Whether the last enqueue failed, likewise. */
  private queueDown = false;
  private readonly telemetry: ReceiverTelemetry;
  private readonly signing = new SigningWatch();

  constructor(options: KlingReceiverOptions) {
    // Verification first: a missing `verify` is the error users must see, before any other option is looked at.
    this.verify = createVerification(options?.verify);
    this.options = resolveReceiverOptions(options);
    this.logger = this.options.logger;
    this.limiter = new LogLimiter(this.logger);
    this.registry = new HandlerRegistry(this.logger);
    this.telemetry = new ReceiverTelemetry(this.options.telemetry);
    this.processor = new EventProcessor(
      this.telemetry.store(this.options.store),
      this.registry,
      this.logger,
      this.options.leaseMs,
      this.options.dedupeTtlMs,
      this.options.queue,
      this.options.ackTimeoutMs,
      (event) => this.telemetry.dispatch(this.registry, event),
    );
    this.pairing = new PairingCheck(this.options.store, this.options.lookupTask, this.options.dedupeTtlMs, this.logger);
  }

  on<S extends KlingHandlerStatus>(status: S, handler: KlingHandler<S>): this {
    this.registry.add(status, handler);
    return this;
  }

  off<S extends KlingHandlerStatus>(status: S, handler: KlingHandler<S>): this {
    this.registry.remove(status, handler);
    return this;
  }

  onError(listener: KlingErrorHandler): this {
    this.registry.addErrorListener(listener);
    return this;
  }

  handle(request: KlingRequest): Promise<KlingResponse> {
    const observation = this.telemetry.request(request);
    if (observation === undefined) return this.answer(request);
    return observation.run(() => this.answer(request, observation)).then((response) => observation.finish(response));
  }

  private async answer(request: KlingRequest, observation?: RequestObservation): Promise<KlingResponse> {
    try {
      return await this.pipeline(request, observation);
    } catch (error) {
      const logger = request.logger ?? this.logger;
      logger.error('receiver failed unexpectedly; answered 500', { error: describeError(error) });
      return internalErrorResponse();
    }
  }

  process(event: KlingTaskEvent): Promise<KlingProcessOutcome> {
    return this.telemetry.process(event, () => this.processor.process(event));
  }

  runQueued(event: KlingTaskEvent): Promise<KlingProcessOutcome> {
    return this.telemetry.process(event, () => this.processor.run(event));
  }

  private async pipeline(request: KlingRequest, observation?: RequestObservation): Promise<KlingResponse> {
    const started = Date.now();
    const { method, url, headers, rawBody } = request;
    const logger = request.logger ?? this.logger;
    const limiter = request.logger === undefined ? this.limiter : this.limiter.writingTo(request.logger);

    // 1. Cheap checks before reading anything.
    const streamed = !(rawBody instanceof Uint8Array);
    if (method !== 'POST' && method.toUpperCase() !== 'POST') {
      limiter.warn('method', 'rejected: method not allowed (405)', { method });
      return methodNotAllowedResponse(streamed);
    }
    const contentType = headerValue(headers, 'content-type');
    if (contentType === undefined || !JSON_MEDIA_TYPE.test(contentType)) {
      limiter.warn('media-type', 'rejected: content type is not JSON (415)', {});
      return unsupportedMediaTypeResponse(streamed);
    }
    let read: Awaited<ReturnType<typeof readBody>>;
    try {
      read = await readBody(rawBody, headers, this.options.maxBodyBytes, this.options.bodyTimeoutMs);
    } catch (error) {
      limiter.warn('body-read', 'rejected: the body could not be read (400)', { error: describeError(error) });
      return invalidBodyResponse('', 'the body could not be read');
    }
    if (!read.ok && read.reason === 'timeout') {
      limiter.warn('body-timeout', 'rejected: body not received within bodyTimeoutMs (408)', {
        bodyTimeoutMs: this.options.bodyTimeoutMs,
      });
      return requestTimeoutResponse();
    }
    if (!read.ok) {
      limiter.warn('too-large', 'rejected: body over maxBodyBytes (413)', {
        maxBodyBytes: this.options.maxBodyBytes,
      });
      return payloadTooLargeResponse(read.unread);
    }
    const body = read.body;

    // 2. Verify the bytes as received, before parsing them.
    const verified = await this.verify({ method, url, headers, rawBody: body });
    observation?.verified(verified, request);
    this.signing.observe(verified, headers, logger, started);
    if (!verified.ok) {
      limiter.warn('unauthorized', 'rejected: verification failed (401)', {
        verifier: verified.verifier,
        reason: verified.reason,
      });
      return unauthorizedResponse();
    }

    // 3. Parse and normalize; then check what the verifier bound the request to.
    let event: KlingTaskEvent;
    try {
      event = normalize(parseJson(body), { deliveryId: headerValue(headers, 'webhook-id'), source: 'callback' });
    } catch (error) {
      if (!(error instanceof KlingValidationError)) throw error;
      limiter.warn('invalid-body', 'rejected: invalid body (400)', { path: error.path, reason: error.message });
      return invalidBodyResponse(error.path, error.message);
    }
    const testCallback = looksLikeTestCallback(event);
    if (testCallback) {
      logger.info("looks like the console's Test Callback (submitted, no outputs, no external id); answered as usual", {
        taskId: event.taskId,
      });
    }
    observation?.parsed(event, testCallback);
    const mismatch = bindingMismatch(verified, event);
    if (mismatch !== undefined) {
      limiter.warn('unauthorized', 'rejected: verified for another task (401)', {
        verifier: verified.verifier,
        taskId: event.taskId,
        reason: mismatch,
      });
      return unauthorizedResponse();
    }
    // A token can only name the external id (Kling assigns the task id later): the task must be the one paired with it.
    const bound = verified.expect;
    if (bound?.externalTaskId !== undefined && bound.taskId === undefined) {
      let verdict: PairingVerdict;
      try {
        verdict = await this.pairing.check(
          bound.externalTaskId,
          event.taskId,
          this.options.ackTimeoutMs - (Date.now() - started),
        );
      } catch (error) {
        logger.error('store could not tell the task of a callback token; answered 503', {
          taskId: event.taskId,
          error: describeError(error),
        });
        return storeUnavailableResponse(STORE_RETRY_AFTER_SEC);
      }
      if (verdict === 'other-task') {
        limiter.warn('unauthorized', 'rejected: callback token is for another task (401)', {
          verifier: verified.verifier,
          taskId: event.taskId,
        });
        return unauthorizedResponse();
      }
      if (verdict === 'unknown') {
        limiter.warn('not-paired', 'task of the callback token not known yet; answered 503', {
          verifier: verified.verifier,
          taskId: event.taskId,
        });
        return taskNotPairedResponse(PAIRING_RETRY_AFTER_SEC);
      }
    }

    // 4. Dedupe.
    const ref = eventRef(event);
    let claim: KlingClaimResult;
    try {
      claim = await this.processor.claim(ref);
    } catch (error) {
      // Once per outage, not once per request: a down store fails every delivery until it is back.
      if (this.storeDown) {
        logger.debug('store claim failed; answered 503', { taskId: event.taskId, status: ref.status });
      } else {
        this.storeDown = true;
        logger.error('store claim failed; answering 503 until the store answers again', {
          taskId: event.taskId,
          status: event.status,
          error: describeError(error),
        });
      }
      return storeUnavailableResponse(STORE_RETRY_AFTER_SEC);
    }
    if (this.storeDown) {
      this.storeDown = false;
      logger.info('store answers again', {});
    }
    switch (claim.state) {
      case 'done':
        logger.debug('duplicate delivery', { taskId: event.taskId, status: ref.status });
        return duplicateResponse();
      case 'superseded':
        logger.info('task already ended; event not dispatched', { taskId: event.taskId, status: ref.status });
        return outOfOrderResponse();
      case 'in-flight':
        logger.debug('delivery in flight elsewhere; answered 409', { taskId: event.taskId, status: ref.status });
        return inFlightResponse(Math.max(1, Math.ceil(claim.retryAfterMs / 1000)));
    }

    // 5a. With a queue: store the event durably and answer once it is stored; workers run the handlers.
    if (this.processor.queued) {
      try {
        await this.processor.enqueue(
          event,
          ref,
          claim.token,
          this.options.ackTimeoutMs - (Date.now() - started),
          logger,
        );
      } catch (error) {
        if (this.queueDown) {
          logger.debug('enqueue failed; answered 503', { taskId: event.taskId, status: ref.status });
        } else {
          this.queueDown = true;
          logger.error('enqueue failed; answering 503 until the queue stores events again', {
            taskId: event.taskId,
            status: event.status,
            error: describeError((error as Error).cause ?? error),
          });
        }
        return queueUnavailableResponse(STORE_RETRY_AFTER_SEC);
      }
      if (this.queueDown) {
        this.queueDown = false;
        logger.info('queue stores events again', {});
      }
      logger.debug('event queued', { taskId: event.taskId, status: ref.status });
      return queuedResponse();
    }

    // 5. Dispatch. Synchronous handlers need no ack timer; asynchronous ones get what is left of the budget.
    const dispatched = this.telemetry.dispatch(this.registry, event, logger);
    const finished = this.processor.finish(event, ref, claim.token, dispatched, logger);
    let failure: Awaited<typeof finished>;
    if (isThenable(dispatched)) {
      const result = await withinBudget(finished, this.options.ackTimeoutMs - (Date.now() - started));
      if (result === BUDGET_SPENT) {
        // `finished` goes on: it completes or releases, and reports failures to onError.
        request.waitUntil?.(finished);
        logger.debug('ack budget spent; answered 202 while handlers run', { taskId: event.taskId, status: ref.status });
        return acceptedResponse();
      }
      failure = result;
    } else {
      failure = await finished;
    }
    return failure === undefined ? okResponse() : handlerFailedResponse();
  }
}

/**
 * Creates the framework-neutral receiver that the Express, Fastify and NestJS adapters wrap. It answers each
 * request through the pipeline: 405/415/413 for the wrong method, type or size; 401 unless `verify` accepts the raw
 * request (408 when a streamed body is slower than `bodyTimeoutMs`); 400 (with the bad field's path) for a body that
 * is not a Kling task; 401 when a callback token is bound to another task (for a token bound to an external id: the
 * task `KlingClient` paired with it in the store; 503 `task_not_paired` while no pairing is known); then dedupe (200
 * `duplicate`, 200 `out-of-order` once the task's terminal state is claimed, 409 in flight, 503 store down), and
 * dispatch to the handlers of the event's status and `'*'` (200, 500 when one throws, 202 when they outlast
 * `ackTimeoutMs`). With `queue`, the event is enqueued instead (200 `queued` once stored, 503 `queue_unavailable`
 * when it cannot be, or not within `ackTimeoutMs`) and workers run the handlers through `runQueued`.
 *
 * Throws `KlingConfigError` when `verify` is missing (write `verify: 'none'` to opt out) or another option is
 * invalid.
 *
 * @example
 * ```ts
 * import { createKlingReceiver, klingSignature, memoryStore } from '@kling-webhooks/core';
 *
 * const receiver = createKlingReceiver({
 *   verify: klingSignature({ secrets: [process.env.KLING_WEBHOOK_SECRET!] }),
 *   store: memoryStore(),
 * });
 * receiver.on('succeed', async (event) => {
 *   for (const video of event.videos) await saveVideo(event.taskId, video.url); // URLs expire after 30 days
 * });
 * receiver.on('failed', (event) => console.warn(`task ${event.taskId} failed: ${event.message}`));
 * receiver.onError((error, event) => report(error, event?.taskId));
 *
 * // In any HTTP server: hand over the raw request, write back the answer.
 * http.createServer(async (req, res) => {
 *   const { status, headers, body } = await receiver.handle({
 *     method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, rawBody: req,
 *   });
 *   res.writeHead(status, headers).end(body);
 * });
 * ```
 */
export function createKlingReceiver(options: KlingReceiverOptions): KlingReceiver {
  return new Receiver(options);
}
