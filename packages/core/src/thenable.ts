/** Whether `value` is a promise (or any thenable): for results that stay synchronous when nothing awaited. */
export function isThenable<T>(value: T): value is Extract<T, PromiseLike<unknown>> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
}
