/** Resolves after `ms`; what node:timers/promises' `setTimeout` does, for runtimes without it. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
