import { buildCallback } from './builders.js';
import { randomId, randomTaskId, randomWebhookSecret } from './ids.js';
import { isTimeout, noAnswerReason } from './no-answer.js';
import { type CallbackAnswer, type SendCallbackOptions, sendCallback } from './sign.js';

/** Options of {@link checkReceiver}. Give the secret(s) the receiver verifies with. */
export interface CheckReceiverOptions {
  /** The receiver checks Kling's signature with this `whsec_` secret. */
  webhookSecret?: string;
  /** The receiver checks a callback token signed with this secret. */
  tokenSecret?: string;
  /** Body shape of the callbacks. Default `legacy`. */
  dialect?: 'legacy' | 'new';
  /** How fast every answer must come. Default 5000 ms (about Kling's window). */
  budgetMs?: number;
  /** Give up on one request after this long. Default 10 000 ms. */
  timeoutMs?: number;
  /** Called as each case finishes (progress for long runs). */
  onResult?: (result: CheckResult, index: number, total: number) => void;
}

/** The outcome of one case. */
export interface CheckResult {
  /** Short description, e.g. `wrong signature`. */
  name: string;
  /** Statuses that pass, e.g. `200/202`. */
  expected: string;
  /** Status seen, or undefined when no answer came. */
  status?: number;
  ms: number;
  pass: boolean;
  /** Why it failed (or, for the timing line, the slowest answer). */
  detail?: string;
}

/** The whole report: every case, then the timing check. */
export interface CheckReport {
  results: CheckResult[];
  /** True when every result passed. */
  pass: boolean;
}

interface CheckCase {
  name: string;
  expected: string;
  send: () => Promise<CallbackAnswer>;
  accept: (answer: CallbackAnswer) => boolean;
}

function isDuplicateAnswer(answer: CallbackAnswer): boolean {
  if (answer.status === 409) return true;
  if (answer.status !== 200) return false;
  try {
    return (JSON.parse(answer.body) as { duplicate?: unknown }).duplicate === true;
  } catch {
    return false;
  }
}

/**
 * Sends a receiver the callbacks that tell a safe one from an unsafe one, and reports what it answered: a valid
 * callback (200/202), an unsigned one (401), a wrongly signed one (401), a stale one when Kling signatures are used
 * (401), the valid one again (200 `{duplicate: true}` or 409), malformed JSON (400) and a body without a task id
 * (400), each within `budgetMs`.
 */
export async function checkReceiver(url: string, options: CheckReceiverOptions): Promise<CheckReport> {
  const { webhookSecret, tokenSecret, dialect = 'legacy' } = options;
  const budgetMs = options.budgetMs ?? 5000;
  const signed: SendCallbackOptions = { body: '', webhookSecret, tokenSecret, timeoutMs: options.timeoutMs };
  const wrong: SendCallbackOptions = {
    ...signed,
    webhookSecret: webhookSecret === undefined ? undefined : randomWebhookSecret(),
    tokenSecret: tokenSecret === undefined ? undefined : randomWebhookSecret(),
  };
  const fresh = () => buildCallback({ dialect, status: 'succeed', externalTaskId: randomId('check-') });
  // The valid callback's token names its task id too: a token bound only to an external id is accepted just for the
  // task a KlingClient paired with it, and this task was never created.
  const validTaskId = randomTaskId();
  const valid = buildCallback({ dialect, status: 'succeed', taskId: validTaskId, externalTaskId: randomId('check-') });
  const is =
    (...statuses: number[]) =>
    (answer: CallbackAnswer) =>
      statuses.includes(answer.status);

  const cases: CheckCase[] = [
    {
      name: 'valid callback',
      expected: '200/202',
      send: () => sendCallback(url, { ...signed, body: valid, taskId: validTaskId }),
      accept: is(200, 202),
    },
    {
      name: 'unsigned callback',
      expected: '401',
      send: () => sendCallback(url, { body: fresh(), timeoutMs: options.timeoutMs }),
      accept: is(401),
    },
    {
      name: 'wrong signature',
      expected: '401',
      send: () => sendCallback(url, { ...wrong, body: fresh() }),
      accept: is(401),
    },
  ];
  if (webhookSecret !== undefined) {
    cases.push({
      name: 'stale timestamp (10 min old)',
      expected: '401',
      send: () =>
        sendCallback(url, {
          ...signed,
          tokenSecret: undefined,
          body: fresh(),
          timestamp: Math.floor(Date.now() / 1000) - 600,
        }),
      accept: is(401),
    });
  }
  cases.push(
    {
      name: 'duplicate of the valid callback',
      expected: '200 duplicate/409',
      send: () => sendCallback(url, { ...signed, body: valid, taskId: validTaskId }),
      accept: isDuplicateAnswer,
    },
    {
      name: 'malformed JSON',
      expected: '400',
      send: () => sendCallback(url, { ...signed, body: '{"task_id": "1", "task_status": ' }),
      accept: is(400),
    },
    {
      name: 'body without a task id',
      expected: '400',
      send: () => sendCallback(url, { ...signed, body: { task_status: 'succeed', task_info: {} } }),
      accept: is(400),
    },
  );

  const results: CheckResult[] = [];
  const total = cases.length + 1;
  let timedOut = 0;
  for (const check of cases) {
    const started = performance.now();
    let result: CheckResult;
    try {
      const answer = await check.send();
      const pass = check.accept(answer);
      result = { name: check.name, expected: check.expected, status: answer.status, ms: answer.ms, pass };
      if (!pass) result.detail = answer.body.slice(0, 200);
    } catch (error) {
      const ms = Math.round(performance.now() - started);
      result = { name: check.name, expected: check.expected, ms, pass: false, detail: noAnswerReason(error) };
      if (isTimeout(error)) timedOut++;
    }
    results.push(result);
    options.onResult?.(result, results.length, total);
  }
  results.push(timingResult(results, budgetMs, timedOut));
  options.onResult?.(results[results.length - 1] as CheckResult, results.length, total);
  return { results, pass: results.every((r) => r.pass) };
}

/**
 * The timing line: how slow the slowest answer was. Requests that got no answer at all (refused, reset) say nothing
 * about speed and are left out; a request that timed out is over the budget by definition.
 */
function timingResult(results: readonly CheckResult[], budgetMs: number, timedOut: number): CheckResult {
  const name = `answers within ${budgetMs / 1000} s`;
  const expected = `≤ ${budgetMs} ms`;
  const answered = results.filter((r) => r.status !== undefined);
  if (timedOut > 0) {
    const ms = Math.max(...results.map((r) => r.ms));
    return { name, expected, ms, pass: false, detail: `${timedOut} got no answer in time` };
  }
  if (answered.length === 0) return { name, expected, ms: 0, pass: false, detail: 'not measured: no answers' };
  const slowest = Math.max(...answered.map((r) => r.ms));
  return { name, expected, ms: slowest, pass: slowest <= budgetMs, detail: `slowest ${slowest} ms` };
}
