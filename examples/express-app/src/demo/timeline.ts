import type { KlingLogger } from '@kling-webhooks/core';

const columns = { event: 10, task: 4, state: 10 };

/** Prints one aligned line per event: seconds since the start, what happened, to which task, in which state, details. */
export class Timeline {
  private readonly startedAt = performance.now();

  /** The column titles. */
  header(): void {
    this.write('  time', 'event', 'task', 'state', 'detail');
  }

  /** One event, stamped with the time since the timeline was made. */
  line(event: string, task: string, state: string, detail = ''): void {
    const seconds = ((performance.now() - this.startedAt) / 1000).toFixed(2);
    this.write(`${seconds.padStart(5)}s`, event, task, state, detail);
  }

  /**
   * A logger for the library that prints its info lines on the timeline (`taskName` turns a task id into its name)
   * and its warnings and errors to stderr.
   */
  logger(taskName: (taskId: string) => string): KlingLogger {
    const task = (context?: Record<string, unknown>) =>
      typeof context?.taskId === 'string' ? taskName(context.taskId) : '';
    const problem = (message: string, context?: Record<string, unknown>) =>
      console.error(`[kling-webhooks] ${message}`, context ?? '');
    return {
      debug: () => undefined,
      info: (message, context) => this.line('log', task(context), '', message),
      warn: problem,
      error: problem,
    };
  }

  private write(time: string, event: string, task: string, state: string, detail: string): void {
    const text = `${time}  ${event.padEnd(columns.event)}  ${task.padEnd(columns.task)}  ${state.padEnd(columns.state)}  ${detail}`;
    console.log(text.trimEnd());
  }
}
