import { z } from 'zod';
import { parseBody } from './fast-parse.js';

/** What a {@link dispatchSchema} picker answers when no schema fits: the message of the issue to report. */
export interface DispatchMismatch {
  message: string;
}

/**
 * A union whose member is chosen from the value itself (by a key's presence or a `type` tag), so each value is parsed
 * once, by one schema, and a bad field is reported at its own path (the first issue only: copying every issue of a
 * hostile value is work without bound). Unlike `z.discriminatedUnion`, the picker may send unknown tags to a
 * catch-all schema.
 */
export function dispatchSchema<S extends Record<string, z.ZodType>, Out = z.output<S[keyof S]>>(
  schemas: S,
  pick: (value: unknown) => keyof S | DispatchMismatch,
  /** What the union gives for the parsed value, the value as sent and the member picked; default the parsed value. */
  finish: (parsed: z.output<S[keyof S]>, sent: unknown, picked: keyof S) => Out = (parsed) => parsed as Out,
) {
  return z.custom<z.input<S[keyof S]>>().transform((value, ctx): Out => {
    const picked = pick(value);
    if (typeof picked === 'object') {
      ctx.addIssue({ code: 'custom', message: picked.message });
      return z.NEVER;
    }
    const result = parseBody(schemas[picked]!, value);
    if (result.success) return finish(result.data as z.output<S[keyof S]>, value, picked);
    const issue = result.error.issues[0];
    ctx.addIssue({ code: 'custom', message: issue?.message ?? 'invalid', path: issue?.path ?? [] });
    return z.NEVER;
  });
}
