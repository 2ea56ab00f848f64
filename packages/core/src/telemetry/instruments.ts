import { type Counter, type Gauge, type Histogram, type Meter, ValueType } from '@opentelemetry/api';
import { METRIC } from './names.js';

/** Bucket bounds (s) for handler and request durations: Kling waits about 5 s, handlers may run much longer. */
const DURATION_BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 4, 5, 10, 30, 60, 300];
/** Bucket bounds (s) for store round trips. */
const STORE_BOUNDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

/** Every instrument the library records, made once per meter. */
export interface Instruments {
  readonly callbacks: Counter;
  readonly callbackDuration: Histogram;
  readonly ackBudgetExhausted: Counter;
  readonly verifications: Counter;
  readonly handlerDuration: Histogram;
  readonly handlerFailures: Counter;
  readonly processed: Counter;
  readonly storeDuration: Histogram;
  readonly tasksEnded: Counter;
  readonly tasksAbandoned: Counter;
  readonly polls: Counter;
  readonly pendingTasks: Gauge;
  readonly oldestPendingAge: Gauge;
}

const cache = new WeakMap<Meter, Instruments>();

/** The instruments of `meter` (made on first use; an SDK returns the same instrument for the same name anyway). */
export function instrumentsOf(meter: Meter): Instruments {
  let made = cache.get(meter);
  if (made === undefined) {
    made = make(meter);
    cache.set(meter, made);
  }
  return made;
}

function make(meter: Meter): Instruments {
  const count = (name: string, description: string, unit: string) =>
    meter.createCounter(name, { description, unit, valueType: ValueType.INT });
  const seconds = (name: string, description: string, bounds: number[]) =>
    meter.createHistogram(name, {
      description,
      unit: 's',
      valueType: ValueType.DOUBLE,
      advice: { explicitBucketBoundaries: bounds },
    });
  return {
    callbacks: count(METRIC.callbacks, 'Callback requests answered, by outcome', '{callback}'),
    callbackDuration: seconds(METRIC.callbackDuration, 'Time to answer a callback request', DURATION_BOUNDS),
    ackBudgetExhausted: count(
      METRIC.ackBudgetExhausted,
      'Callbacks answered 202 because handlers outlasted the ack budget',
      '{callback}',
    ),
    verifications: count(METRIC.verifications, 'Passed verifications, by verifier and secret index', '{callback}'),
    handlerDuration: seconds(METRIC.handlerDuration, "Time one event's handlers took", DURATION_BOUNDS),
    handlerFailures: count(METRIC.handlerFailures, 'Events whose handlers failed', '{event}'),
    processed: count(METRIC.processed, 'Events run through receiver.process (polls, queued events)', '{event}'),
    storeDuration: seconds(METRIC.storeDuration, 'Dedupe store calls', STORE_BOUNDS),
    tasksEnded: count(METRIC.tasksEnded, 'Tracked tasks that ended, by what ended them (callback or poll)', '{task}'),
    tasksAbandoned: count(METRIC.tasksAbandoned, 'Tracked tasks no longer polled after maxAttempts', '{task}'),
    polls: count(METRIC.polls, 'Tasks the reconciler asked Kling about, by outcome', '{task}'),
    pendingTasks: meter.createGauge(METRIC.pendingTasks, {
      description: 'Tasks waiting for their terminal state (after the last reconciler tick)',
      unit: '{task}',
      valueType: ValueType.INT,
    }),
    oldestPendingAge: meter.createGauge(METRIC.oldestPendingAge, {
      description: 'Age of the oldest task waiting for its terminal state (after the last reconciler tick)',
      unit: 's',
      valueType: ValueType.DOUBLE,
    }),
  };
}
