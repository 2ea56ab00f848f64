import { z } from 'zod';
import { boundedArray } from './bounded-array.js';
import { MAX_TASKS } from './fields.js';
import { klingFlatBodySchema } from './flat.js';

const envelopeFields = {
  code: z.number({ error: 'expected a numeric code' }),
  message: z.string().nullish(),
  request_id: z.string().nullish(),
};

/**
 * The `{code, message, request_id, data}` envelope of Kling's query responses (`GET /v1/<product>/{id}`,
 * `GET /<product>/{model}/{id}`), whose `data` is one flat body of either dialect → that task's event fields. The
 * poller feeds these to `normalize`. `code` 0 means success; other codes are the client's to handle before
 * normalizing.
 */
export const klingEnvelopeSchema = z
  .object({ ...envelopeFields, data: klingFlatBodySchema })
  .transform((envelope) => envelope.data);

/**
 * The same envelope with `data: [...]`, as `GET /tasks?task_ids=a,b` and list queries answer → each task's event
 * fields, in order; see `normalizeMany`.
 */
export const klingListEnvelopeSchema = z
  .object({ ...envelopeFields, data: boundedArray(klingFlatBodySchema, MAX_TASKS, 'tasks') })
  .transform((envelope) => envelope.data);

/** A query envelope of one task: its event fields (the parse's output). */
export type KlingEnvelope = z.output<typeof klingEnvelopeSchema>;
/** A query envelope of one task as Kling sends it. */
export type KlingEnvelopeInput = z.input<typeof klingEnvelopeSchema>;
/** A query envelope of a task list: each task's event fields (the parse's output). */
export type KlingListEnvelope = z.output<typeof klingListEnvelopeSchema>;
/** A query envelope of a task list as Kling sends it. */
export type KlingListEnvelopeInput = z.input<typeof klingListEnvelopeSchema>;
