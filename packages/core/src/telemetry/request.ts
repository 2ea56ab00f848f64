import { type Attributes, type Context, context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { KlingTaskEvent } from '../event.js';
import type { KlingRequest, KlingResponse } from '../request.js';
import type { VerifyOutcome } from '../verify/types.js';
import { instrumentsOf } from './instruments.js';
import { ATTR, SPAN } from './names.js';
import { classify } from './outcome.js';
import type { LiveProviders } from './providers.js';
import { isSigned } from './signing-watch.js';

const TOKEN_PARAM = /(^|[?&])token=[^&#]*/g;

/**
 * A callback token travels in the URL's query (`?token=`), and OTel's HTTP instrumentation records the query of the
 * server span (`url.query`) as received: the token would sit in every trace. The library put it there, so it takes it
 * out, on the span of the request it is handed (the framework's server span).
 */
function redactServerSpan(server: Span | undefined, url: string): void {
  const start = url.indexOf('?');
  if (server === undefined || start === -1 || !server.isRecording()) return;
  const query = url.slice(start + 1).split('#', 1)[0]!;
  if (!query.includes('token=')) return;
  server.setAttribute('url.query', query.replace(TOKEN_PARAM, '$1token=REDACTED'));
}

/**
 * The telemetry of one callback request, made only when something records. The pipeline tells it what it learnt
 * (`verified`, `parsed`); the outcome is read from the answer at `finish`. Span attributes hold ids, names, counts
 * and the secret's index: never a secret, a token, a signature or the body.
 */
export class RequestObservation {
  /** The `kling.webhook` span (undefined when only metrics record). */
  private readonly span: Span | undefined;
  /** The context the pipeline runs in: the span's, under the framework's (request's) context. */
  private readonly context: Context;
  private readonly started = performance.now();
  private verification: VerifyOutcome | undefined;
  private signed: boolean | undefined;
  private event: KlingTaskEvent | undefined;
  private testCallback = false;

  constructor(
    private readonly live: LiveProviders,
    request: KlingRequest,
  ) {
    const parent = request.traceContext ?? context.active();
    if (live.tracer !== undefined) redactServerSpan(trace.getSpan(parent), request.url);
    this.span = live.tracer?.startSpan(SPAN.webhook, { kind: SpanKind.INTERNAL }, parent);
    this.context = this.span === undefined ? parent : trace.setSpan(parent, this.span);
  }

  /** Runs the pipeline with this request's span as the active one (store and handler spans become children). */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return context.with(this.context, fn);
  }

  /** What verification decided (the verifier's name and the secret's index, never the secret). */
  verified(outcome: VerifyOutcome, request: KlingRequest): void {
    this.verification = outcome;
    this.signed = isSigned(request.headers);
  }

  /** The parsed event, and whether it has the console Test Callback's shape. */
  parsed(event: KlingTaskEvent, testCallback: boolean): void {
    this.event = event;
    this.testCallback = testCallback;
  }

  /** Records the answer (span attributes and status, the outcome counters, the duration); returns it unchanged. */
  finish(response: KlingResponse): KlingResponse {
    try {
      this.record(response);
    } catch {
      // An SDK that throws while recording must not turn the answer into a rejection: `handle` never rejects.
    }
    return response;
  }

  private record(response: KlingResponse): void {
    const { outcome, reason: refused } = classify(response);
    const verification = this.verification;
    // A 401 after a passed verification: the request was verified for another task.
    const reason = refused === 'unauthorized' && verification?.ok === true ? 'other_task' : refused;
    const event = this.event;
    const span = this.span;
    if (span?.isRecording()) {
      const attributes: Attributes = {
        [ATTR.outcome]: outcome,
        [ATTR.httpStatus]: response.status,
        [ATTR.duplicate]: outcome === 'duplicate',
      };
      if (reason !== undefined) attributes[ATTR.refusalReason] = reason;
      if (verification !== undefined) {
        attributes[ATTR.verdict] = verification.ok ? 'passed' : 'failed';
        attributes[ATTR.verifier] = verification.verifier;
        if (verification.ok && verification.secretIndex !== undefined) {
          attributes[ATTR.secretIndex] = verification.secretIndex;
        }
      }
      if (this.signed !== undefined) attributes[ATTR.signed] = this.signed;
      if (event !== undefined) {
        attributes[ATTR.taskId] = event.taskId;
        attributes[ATTR.taskStatus] = event.status;
        attributes[ATTR.dialect] = event.dialect;
        attributes[ATTR.testCallback] = this.testCallback;
      }
      span.setAttributes(attributes);
      if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    }
    span?.end();
    const meter = this.live.meter;
    if (meter !== undefined) {
      const metrics = instrumentsOf(meter);
      const attributes: Attributes = { [ATTR.outcome]: outcome, [ATTR.httpStatus]: response.status };
      if (reason !== undefined) attributes[ATTR.refusalReason] = reason;
      if (event !== undefined) attributes[ATTR.taskStatus] = event.status;
      if (this.testCallback) attributes[ATTR.testCallback] = true;
      metrics.callbacks.add(1, attributes);
      metrics.callbackDuration.record((performance.now() - this.started) / 1000, { [ATTR.outcome]: outcome });
      if (outcome === 'accepted') metrics.ackBudgetExhausted.add(1);
      if (verification?.ok === true) {
        const verifiedBy: Attributes = { [ATTR.verifier]: verification.verifier };
        if (verification.secretIndex !== undefined) verifiedBy[ATTR.secretIndex] = verification.secretIndex;
        metrics.verifications.add(1, verifiedBy);
      }
    }
  }
}
