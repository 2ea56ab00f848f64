import type { z } from 'zod';
import type { KlingTaskEvent, KlingTaskFields } from './event.js';
import { boundedArray } from './schemas/bounded-array.js';
import { klingEnvelopeSchema, klingListEnvelopeSchema } from './schemas/envelope.js';
import { parseBody } from './schemas/fast-parse.js';
import { MAX_TASKS } from './schemas/fields.js';
import { klingFlatBodySchema } from './schemas/flat.js';
import { isRecord } from './schemas/record.js';
import { klingRelayBodySchema } from './schemas/relay.js';
import { KlingValidationError } from './schemas/validation-error.js';

/** Where an event came from, added to what the body says. */
export interface KlingNormalizeContext {
  /** The `webhook-id` header of a signed delivery. */
  deliveryId?: string;
  /** `'callback'` (default) for a delivery, `'poll'` for a query result. */
  source?: 'callback' | 'poll';
}

const flatListSchema = boundedArray(klingFlatBodySchema, MAX_TASKS, 'tasks');

/**
 * Turns one body of any accepted shape into a {@link KlingTaskEvent}: Kling's legacy flat body (`task_id`), its
 * new-dialect flat body (`id`), the `{code, data}` query envelope of either, or the seeds' `{event, data}` relay
 * envelope. Each shape's schema (`schemas/`) says what it accepts and what it becomes; this picks the schema and adds
 * where the body came from. `raw` is `body` itself; unknown fields stay there and are not walked.
 * @throws {KlingValidationError} (and nothing else) when the body is not one of those shapes; `path` names the field.
 */
export function normalize(body: unknown, context: KlingNormalizeContext = {}): KlingTaskEvent {
  if (!isRecord(body)) throw new KlingValidationError('', 'expected a JSON object');
  if (isEnvelope(body)) {
    if (Array.isArray(body.data))
      throw new KlingValidationError('data', 'expected one task object (a list needs normalizeMany)');
    return toEvent(parse(klingEnvelopeSchema, body), body, context);
  }
  if (typeof body.event === 'string' && typeof body.data === 'object' && body.data !== null) {
    return toEvent(parse(klingRelayBodySchema, body), body, context);
  }
  return toEvent(parse(klingFlatBodySchema, body), body, context);
}

/**
 * Like {@link normalize}, for query answers that hold several tasks: an envelope with `data: [...]` (as
 * `GET /tasks?task_ids=a,b` answers), or that list itself, gives one event per entry, in order, each with that entry
 * as its `raw`; any other body gives `[normalize(body)]`.
 * @throws {KlingValidationError} with the path of the bad field, e.g. `data.1.status` (`1.status` for a bare list).
 */
export function normalizeMany(body: unknown, context: KlingNormalizeContext = {}): KlingTaskEvent[] {
  if (Array.isArray(body)) return fromList(parse(flatListSchema, body), body, context);
  if (isRecord(body) && isEnvelope(body) && Array.isArray(body.data)) {
    return fromList(parse(klingListEnvelopeSchema, body), body.data, context);
  }
  return [normalize(body, context)];
}

function fromList(tasks: KlingTaskFields[], sent: unknown[], context: KlingNormalizeContext): KlingTaskEvent[] {
  // Each entry parsed as a task object, so each is a record.
  return tasks.map((task, i) => toEvent(task, sent[i] as Record<string, unknown>, context));
}

function isEnvelope(body: Record<string, unknown>): boolean {
  return body.code !== undefined && typeof body.data === 'object' && body.data !== null;
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = parseBody(schema, body);
  if (!result.success) throw KlingValidationError.fromZod(result.error);
  return result.data;
}

function toEvent(task: KlingTaskFields, raw: Record<string, unknown>, context: KlingNormalizeContext): KlingTaskEvent {
  // `task` is the parse's own new object: completed in place (a spread copy of it costs more than the whole parse).
  // The schemas give each status's fields alike; the status picks which event type it is.
  const event = task as KlingTaskEvent;
  event.deliveryId = context.deliveryId;
  event.raw = raw;
  event.source = context.source ?? 'callback';
  return event;
}
