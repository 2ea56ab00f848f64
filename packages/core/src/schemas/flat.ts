import type { z } from 'zod';
import { dispatchSchema } from './dispatch.js';
import { klingLegacyBodySchema } from './legacy.js';
import { klingNewBodySchema } from './new.js';
import { isRecord } from './record.js';

/**
 * Either flat Kling body → the event's fields, told apart as docs/kling-protocol.md §2 says: `task_id` → legacy, `id` →
 * new; both or neither is an error at the body's own path.
 */
export const klingFlatBodySchema = dispatchSchema(
  { legacy: klingLegacyBodySchema, new: klingNewBodySchema },
  (value) => {
    if (!isRecord(value)) return { message: 'expected a task object' };
    const legacy = value.task_id !== undefined;
    const current = value.id !== undefined;
    if (legacy && current) return { message: 'expected task_id (legacy) or id (new dialect), not both' };
    if (legacy) return 'legacy';
    if (current) return 'new';
    return { message: 'expected task_id (legacy) or id (new dialect)' };
  },
);

/** A flat body's event fields (the parse's output); `dialect` tells which. */
export type KlingFlatBody = z.output<typeof klingFlatBodySchema>;
/** A flat body of either dialect as Kling sends it. */
export type KlingFlatBodyInput = z.input<typeof klingFlatBodySchema>;
