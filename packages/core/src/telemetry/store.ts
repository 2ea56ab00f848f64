import { context, type Span, SpanStatusCode } from '@opentelemetry/api';
import type { KlingDedupeStore } from '../store/types.js';
import { instrumentsOf } from './instruments.js';
import { ATTR, SPAN } from './names.js';
import type { LiveProviders } from './providers.js';

/**
 * The dedupe store with a `kling.store.<operation>` span and a latency sample per call, while `live()` says
 * something records (read from a field: no lookup per call). Made once per receiver.
 */
export function observedStore(store: KlingDedupeStore, live: () => LiveProviders | undefined): KlingDedupeStore {
  // Each method looks first: with nothing recording, the call goes straight through (no closure is made).
  return {
    claim(event, options) {
      const providers = live();
      if (providers === undefined) return store.claim(event, options);
      return observe(providers, 'claim', () => store.claim(event, options));
    },
    complete(event, token, options) {
      const providers = live();
      if (providers === undefined) return store.complete(event, token, options);
      return observe(providers, 'complete', () => store.complete(event, token, options));
    },
    release(event, token) {
      const providers = live();
      if (providers === undefined) return store.release(event, token);
      return observe(providers, 'release', () => store.release(event, token));
    },
    isTaskDone(taskId) {
      const providers = live();
      if (providers === undefined) return store.isTaskDone(taskId);
      return observe(providers, 'is_task_done', () => store.isTaskDone(taskId));
    },
  };
}

/** Runs one store call under a span, recording its latency and outcome. */
export async function observe<T>(live: LiveProviders, operation: string, call: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const span: Span | undefined = live.tracer?.startSpan(
    SPAN.storePrefix + operation,
    { attributes: { [ATTR.storeOperation]: operation } },
    context.active(),
  );
  let outcome = 'ok';
  try {
    return await call();
  } catch (error) {
    outcome = 'error';
    span?.setStatus({ code: SpanStatusCode.ERROR, message: 'store call failed' });
    span?.setAttribute(ATTR.errorType, error instanceof Error ? error.name : typeof error);
    throw error;
  } finally {
    span?.end();
    if (live.meter !== undefined) {
      instrumentsOf(live.meter).storeDuration.record((performance.now() - started) / 1000, {
        [ATTR.storeOperation]: operation,
        [ATTR.storeOutcome]: outcome,
      });
    }
  }
}
