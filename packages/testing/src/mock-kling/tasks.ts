import { buildCallback, type CallbackDialect, type CallbackStatus } from '../builders.js';
import { randomId, randomTaskId } from '../ids.js';
import type { MockApi, MockTask } from './types.js';

/** What a create request says about the task to make. */
export interface NewTaskInput {
  api: MockApi;
  product: string;
  request: Record<string, unknown>;
  callbackUrl?: string;
  externalTaskId?: string;
}

/** Legacy `images/...` products make images; everything else (the new `*-to-video` products too) makes videos. */
function makesImages(product: string): boolean {
  return product.startsWith('images/');
}

/** The tasks of one mock, findable by task id or external task id. */
export class TaskBook {
  /** Every task, by task id. */
  readonly byId = new Map<string, MockTask>();
  private readonly byExternalId = new Map<string, MockTask>();

  /** False when `externalTaskId` is taken: Kling requires it unique per account. */
  isFree(externalTaskId: string): boolean {
    return !this.byExternalId.has(externalTaskId);
  }

  /** Records a new `submitted` task with a fresh 18-digit id; `willFail` decides how it will end. */
  create(input: NewTaskInput, willFail: (task: MockTask) => boolean): MockTask {
    const now = Date.now();
    let taskId = randomTaskId();
    while (this.byId.has(taskId)) taskId = randomTaskId();
    const base = `https://cdn.example.com/kling/${taskId}`;
    const task: MockTask = {
      taskId,
      product: input.product,
      api: input.api,
      status: 'submitted',
      message: '',
      createdAt: now,
      updatedAt: now,
      willFail: false,
      videos: makesImages(input.product) ? [] : [{ id: randomId('v-'), url: `${base}/0.mp4`, duration: '5.1' }],
      images: makesImages(input.product) ? [{ index: 0, url: `${base}/0.png` }] : [],
      request: input.request,
    };
    if (input.externalTaskId !== undefined) task.externalTaskId = input.externalTaskId;
    if (input.callbackUrl !== undefined) task.callbackUrl = input.callbackUrl;
    task.willFail = willFail(task);
    this.byId.set(taskId, task);
    if (task.externalTaskId !== undefined) this.byExternalId.set(task.externalTaskId, task);
    return task;
  }

  /** A task by its task id, or else by its external task id. */
  find(id: string): MockTask | undefined {
    return this.byId.get(id) ?? this.byExternalId.get(id);
  }

  /** A task by its external task id only. */
  findByExternalId(externalTaskId: string): MockTask | undefined {
    return this.byExternalId.get(externalTaskId);
  }

  /** Moves a task to its next state; returns the new state, or undefined when it had ended. */
  advance(task: MockTask): CallbackStatus | undefined {
    const next: CallbackStatus | undefined =
      task.status === 'submitted'
        ? 'processing'
        : task.status === 'processing'
          ? task.willFail
            ? 'failed'
            : 'succeed'
          : undefined;
    if (next === undefined) return undefined;
    task.status = next;
    task.updatedAt = Math.max(Date.now(), task.updatedAt + 1);
    if (next === 'failed') task.message = 'Failure to pass the risk control system';
    return next;
  }
}

/** The body Kling would send (or answer a query with) for `task` in its current state. */
export function taskBody(task: MockTask, dialect: CallbackDialect) {
  return buildCallback({
    dialect,
    status: task.status,
    taskId: task.taskId,
    externalTaskId: task.externalTaskId,
    message: task.message,
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
    videos: task.videos,
    images: task.images,
    envelopeOf: task.api,
  });
}
