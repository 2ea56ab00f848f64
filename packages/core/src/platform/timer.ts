/** A timer that should not keep the process alive on its own. */
export function unrefTimer(timer: ReturnType<typeof setTimeout>): void {
  timer.unref();
}
