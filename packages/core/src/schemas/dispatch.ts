import { z } from 'zod';

/** What a {@link dispatchSchema} picker answers when no schema fits: the message of the issue to report. */
export interface DispatchMismatch {
  message: string;
}

/**
 * A union whose member is chosen from the value itself (by a key's presence or a `type` tag), so each value is parsed
 * once, by one schema, and a bad field is reported at its own path. Unlike `z.discriminatedUnion`, the picker may
 * send unknown tags to a catch-all schema.
 */
export function dispatchSchema<S extends Record<string, z.ZodType>>(
  schemas: S,
  pick: (value: unknown) => keyof S | DispatchMismatch,
) {
  return z.custom<z.input<S[keyof S]>>().transform((value, ctx): z.output<S[keyof S]> => {
    const picked = pick(value);
    if (typeof picked === 'object') {
      ctx.addIssue({ code: 'custom', message: picked.message });
      return z.NEVER;
    }
    const result = schemas[picked]!.safeParse(value);
    if (result.success) return result.data as z.output<S[keyof S]>;
    // The first issue only: a caller reports one, and copying every issue of a hostile value is work without bound.
    const issue = result.error.issues[0];
    ctx.addIssue({ code: 'custom', message: issue?.message ?? 'invalid', path: issue?.path ?? [] });
    return z.NEVER;
  });
}
