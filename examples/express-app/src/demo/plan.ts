import type { KlingTaskBody } from '@kling-webhooks/core';
import type { MockBehaviour, MockTask } from '@kling-webhooks/testing';

/** What the mock Kling does to a task's callbacks. */
export type Fate = 'delivered' | 'terminal callback lost' | 'callbacks duplicated' | 'task fails';

/** One task the demo creates. */
export interface PlannedTask {
  /** Short name shown in the output; also the task's external id, which is how the mock knows its fate. */
  name: string;
  product: string;
  body: KlingTaskBody;
  fate: Fate;
}

// The external id goes where each dialect wants it (KlingClient would add a random one if it were missing).
const legacy = (name: string, product: string, fields: KlingTaskBody, fate: Fate): PlannedTask => ({
  name,
  product,
  body: { model_name: 'kling-v2-6', ...fields, external_task_id: name },
  fate,
});
const newDialect = (name: string, product: string, prompt: string, fate: Fate): PlannedTask => ({
  name,
  product,
  body: { contents: [{ type: 'text', text: prompt }], options: { external_task_id: name } },
  fate,
});

/** Four tasks, both API dialects, one of each fate. */
export const plan: readonly PlannedTask[] = [
  legacy('fox', 'videos/text2video', { prompt: 'a red fox in fresh snow' }, 'delivered'),
  newDialect('owl', 'text-to-video/kling-3.0', 'an owl at dusk', 'terminal callback lost'),
  legacy('cat', 'videos/image2video', { image: 'https://example.com/cat.png' }, 'callbacks duplicated'),
  newDialect('eel', 'image-to-video/kling-3.0', 'an eel, glowing', 'task fails'),
];

const fateOf = (task: MockTask): Fate | undefined => plan.find((p) => p.name === task.externalTaskId)?.fate;

/** Makes the mock Kling misbehave as the plan says (states 300 ms apart, so every task ends within a second). */
export const behaviour: MockBehaviour = {
  stepMs: 300,
  drop: (task, status) => status === 'succeed' && fateOf(task) === 'terminal callback lost',
  // Kling redelivers when it is unsure an answer arrived: here every state of one task comes twice.
  duplicate: (task) => (fateOf(task) === 'callbacks duplicated' ? 1 : 0),
  fail: (task) => fateOf(task) === 'task fails',
};
