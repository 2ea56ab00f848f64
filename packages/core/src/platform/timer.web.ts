/** Web runtimes' timers (numbers) keep nothing alive: nothing to do. */
export function unrefTimer(_timer: ReturnType<typeof setTimeout>): void {}
