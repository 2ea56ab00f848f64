import { parseArgs } from 'node:util';
import { buildCallback, type CallbackDialect, type CallbackStatus } from '../builders.js';
import { noAnswerReason } from '../no-answer.js';
import { sendCallback } from '../sign.js';
import { type CliIo, choiceOption, intOption, redactUrl, shortBody, UsageError } from './io.js';

const statuses = ['submitted', 'processing', 'succeed', 'failed'] as const satisfies readonly CallbackStatus[];
const dialects = ['legacy', 'new', 'relay', 'envelope'] as const satisfies readonly CallbackDialect[];

/** `kling-webhooks send <url>`: sends one callback (or the same one `--repeat` times) and prints each answer. */
export async function sendCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      status: { type: 'string' },
      dialect: { type: 'string' },
      'webhook-secret': { type: 'string' },
      'token-secret': { type: 'string' },
      'hmac-secret': { type: 'string' },
      'task-id': { type: 'string' },
      'external-task-id': { type: 'string' },
      repeat: { type: 'string' },
      'timeout-ms': { type: 'string' },
    },
  });
  const [url, ...extra] = positionals;
  if (!url || extra.length > 0) throw new UsageError('send takes exactly one <url>');
  const repeat = intOption('repeat', values.repeat, 1, 1);
  const body = buildCallback({
    status: choiceOption('status', values.status, statuses, 'succeed'),
    dialect: choiceOption('dialect', values.dialect, dialects, 'legacy'),
    taskId: values['task-id'],
    externalTaskId: values['external-task-id'],
  });
  const signing = [
    values['webhook-secret'] && 'Kling signature',
    values['token-secret'] && 'callback token',
    values['hmac-secret'] && 'X-Kling-Signature',
  ]
    .filter(Boolean)
    .join(' + ');
  const taskId = 'task_id' in body ? body.task_id : 'id' in body ? body.id : undefined;
  io.out(
    `sending ${repeat} × ${values.status ?? 'succeed'} (${values.dialect ?? 'legacy'}, task ${taskId ?? '?'}) to ${redactUrl(url)}, ${signing || 'unsigned'}`,
  );

  let failures = 0;
  for (let i = 1; i <= repeat; i++) {
    try {
      // Each repeat is a new delivery (new webhook-id), as Kling repeats a callback.
      const answer = await sendCallback(url, {
        body,
        webhookSecret: values['webhook-secret'],
        tokenSecret: values['token-secret'],
        hmacSecret: values['hmac-secret'],
        timeoutMs: intOption('timeout-ms', values['timeout-ms'], 10_000, 1),
      });
      if (answer.status < 200 || answer.status > 299) failures++;
      io.out(`#${i} ${answer.status} in ${answer.ms} ms  ${shortBody(answer.body)}`);
    } catch (error) {
      failures++;
      io.out(`#${i} ${noAnswerReason(error)}`);
    }
  }
  return failures === 0 ? 0 : 1;
}
