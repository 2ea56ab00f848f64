import type { z } from 'zod';
import { KlingWebhookError } from '../errors.js';

/** Longest `expected` text kept in a message: messages stay short whatever a schema says. */
const MAX_EXPECTED = 160;

/**
 * A body is not valid JSON or not a shape Kling sends. The receiver answers 400 with `path`. The message says where
 * and what was expected, never the value that was found.
 */
export class KlingValidationError extends KlingWebhookError {
  /** Dotted path of the bad field, e.g. `task_result.videos.0.duration`; `''` when the whole body is wrong. */
  readonly path: string;

  constructor(path: string, expected: string, options?: { cause?: unknown }) {
    const what = expected.length > MAX_EXPECTED ? `${expected.slice(0, MAX_EXPECTED)}…` : expected;
    super('KLING_INVALID_BODY', path === '' ? `invalid body: ${what}` : `invalid body at ${path}: ${what}`, options);
    this.path = path;
  }

  /** The error for the first issue of a failed zod parse (zod's messages name types, not values). */
  static fromZod(error: z.ZodError): KlingValidationError {
    const issue = error.issues[0];
    if (issue === undefined) return new KlingValidationError('', 'a valid body');
    return new KlingValidationError(issue.path.map(String).join('.'), issue.message);
  }
}
