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
 * `GET /<product>/{model}/{id}`), whose `data` is one flat body of either dialect. The poller feeds these to
 * `normalize`. `code` 0 means success; other codes are the client's to handle before normalizing.
 */
export const klingEnvelopeSchema = z.looseObject({ ...envelopeFields, data: klingFlatBodySchema });

/** The same envelope with `data: [...]`, as `GET /tasks?task_ids=a,b` and list queries answer; see `normalizeMany`. */
export const klingListEnvelopeSchema = z.looseObject({
  ...envelopeFields,
  data: boundedArray(klingFlatBodySchema, MAX_TASKS, 'tasks'),
});

/** A parsed query envelope of one task. */
export type KlingEnvelope = z.output<typeof klingEnvelopeSchema>;
/** A query envelope of one task as Kling sends it. */
export type KlingEnvelopeInput = z.input<typeof klingEnvelopeSchema>;
/** A parsed query envelope of a task list. */
export type KlingListEnvelope = z.output<typeof klingListEnvelopeSchema>;
/** A query envelope of a task list as Kling sends it. */
export type KlingListEnvelopeInput = z.input<typeof klingListEnvelopeSchema>;
