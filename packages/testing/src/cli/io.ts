/** Where a command writes: lines for people, and the exit code it ends with. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Resolves when nobody reads the output any more (a closed pipe): long-running commands stop then. */
  closed?: Promise<void>;
}

/** A command line that cannot be run as given (exit code 2, usage printed). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses a whole number option, or throws a {@link UsageError} naming it. */
export function intOption(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}`);
  return parsed;
}

/** Parses a ratio option (0 to 1), or throws a {@link UsageError} naming it. */
export function ratioOption(name: string, value: string | undefined): number {
  if (value === undefined) return 0;
  const parsed = Number(value);
  if (!(parsed >= 0 && parsed <= 1)) throw new UsageError(`--${name} must be between 0 and 1`);
  return parsed;
}

/** One of `allowed`, or throws a {@link UsageError}. */
export function choiceOption<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** A URL without its query string: callback URLs can carry a token, which must not be printed. */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? url : `${url.slice(0, at)}?…`;
}

/** A response body cut to one short line. */
export function shortBody(body: string, max = 160): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
