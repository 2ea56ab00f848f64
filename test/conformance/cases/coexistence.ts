import { expect, it } from 'vitest';
import { send, taskId, useApp } from '../support.js';
import type { ConformanceTarget } from '../target.js';

const sorted = (calls: readonly string[]) => [...calls].sort();

/** A valid legacy body as a sender might format it: odd spacing, tabs, new lines, keys in no usual order. */
function unusualBody(id: string): string {
  return (
    `{ "task_result" : {"videos":[ {"duration":"5.1" ,"url":"https://cdn.example.com/${id}.mp4","id":"v-1"} ]},\n` +
    `\t"task_status_msg":"",   "task_status" :"succeed" ,\r\n  "task_id":   "${id}"  ,"created_at":1774805076166}\n`
  );
}

/** Next to other routes: a JSON route of the same app keeps working, and the callback is verified over its exact bytes. */
export function coexistenceCases(target: ConformanceTarget): void {
  const { recorder, baseUrl } = useApp(target, { expressJsonFirst: true });

  it('a JSON route of the same app still gets its body parsed', async () => {
    const payload = { hello: 'world', list: [1, 2, 3], nested: { ok: true } };
    const response = await fetch(`${baseUrl()}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(payload);
  });

  it('verifies the Kling signature over the exact bytes received, even with a JSON parser mounted first', async () => {
    const id = taskId();
    const body = unusualBody(id);
    expect(JSON.stringify(JSON.parse(body))).not.toBe(body);
    const response = await send(baseUrl(), body);
    expect(response.status).toBe(200);
    expect(sorted(recorder.callsOf(id))).toEqual(['*', 'succeed']);
    expect(recorder.lastEvent(id)?.videos[0]?.url).toBe(`https://cdn.example.com/${id}.mp4`);
  });
}
