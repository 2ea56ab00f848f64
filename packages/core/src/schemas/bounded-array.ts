import { z } from 'zod';
import { parseBody } from './fast-parse.js';

/**
 * An array of at most `max` entries of `item`, checked in that order: the length first (before any entry is
 * parsed), then each entry until the first that fails, whose first issue is the one reported (at
 * `<index>.<its path>`). `z.array(item).max(max)` would parse every entry and collect an issue per bad one first: a
 * 1 MiB array of bad entries costs seconds of CPU that way.
 */
export function boundedArray<T extends z.ZodType>(item: T, max: number, what: string) {
  return z.custom<z.input<T>[]>().transform((value, ctx): z.output<T>[] => {
    if (!Array.isArray(value)) {
      ctx.addIssue({ code: 'custom', message: `expected an array of ${what}` });
      return z.NEVER;
    }
    if (value.length > max) {
      ctx.addIssue({ code: 'custom', message: `expected at most ${max} ${what}` });
      return z.NEVER;
    }
    const parsed = new Array<z.output<T>>(value.length);
    for (let i = 0; i < value.length; i++) {
      const result = parseBody(item, value[i]);
      if (!result.success) {
        const issue = result.error.issues[0];
        ctx.addIssue({ code: 'custom', message: issue?.message ?? 'invalid', path: [i, ...(issue?.path ?? [])] });
        return z.NEVER;
      }
      parsed[i] = result.data;
    }
    return parsed;
  });
}
