import {
  klingEnvelopeSchema,
  klingFlatBodySchema,
  klingLegacyBodySchema,
  klingListEnvelopeSchema,
  klingNewBodySchema,
  klingNewOutputSchema,
  klingRelayBodySchema,
} from '@kling-webhooks/core/adapter';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fastParser, parseBody, REFUSED, useGeneratedCode, zodOnly } from '../src/schemas/fast-parse.js';
import { edgeBody, mutatedBody } from './body-arbitraries.js';

// The fast path is derived from the body schemas; these properties hold it to what zod itself makes of the same value.
const SCHEMAS = {
  flat: klingFlatBodySchema,
  legacy: klingLegacyBodySchema,
  new: klingNewBodySchema,
  relay: klingRelayBodySchema,
  envelope: klingEnvelopeSchema,
  list: klingListEnvelopeSchema,
  output: klingNewOutputSchema,
} as const;

/** A value in every position the schemas look at: a body, its envelope, a list of bodies, an output entry. */
const anyInput = fc.oneof(
  mutatedBody,
  edgeBody,
  edgeBody,
  mutatedBody.map((data) => ({ code: 0, data: [data, data] })),
  mutatedBody.map((body) => (Array.isArray(body.outputs) ? body.outputs[0] : body)),
  fc.anything(),
);

describe('the body schemas’ fast path', () => {
  for (const [name, schema] of Object.entries(SCHEMAS))
    for (const generated of [true, false]) {
      const objects = generated ? 'generated code' : 'no new Function';
      it(`accepts exactly what zod accepts and gives zod's output: ${name} schema, ${objects} (property)`, () => {
        useGeneratedCode(generated);
        let accepted = 0;
        fc.assert(
          fc.property(anyInput, (value) => {
            const fast = fastParser(schema)(value);
            const slow = zodOnly(() => z.safeParse(schema, value));
            expect(fast !== REFUSED).toBe(slow.success);
            if (slow.success) {
              accepted++;
              expect(fast).toStrictEqual(slow.data);
            }
          }),
          { numRuns: 1000 },
        );
        useGeneratedCode(true);
        // The property must have compared outputs, not only refusals.
        expect(accepted).toBeGreaterThan(0);
      });
    }

  it('reports zod’s first issue when it refuses', () => {
    const body = { task_id: 'T1', task_status: 'succeed', task_result: { videos: [{ id: 'v', url: 3 }] } };
    const result = parseBody(klingFlatBodySchema, body);
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error.issues[0]?.path).toEqual(['task_result', 'videos', 0, 'url']);
  });

  it('parses nodes it does not know with zod (an ISO date-time inside the relay body)', () => {
    const body = { event: 'video.completed', timestamp: '2026-12-03T10:00:00Z', data: { job_id: 'j' } };
    const fast = fastParser(klingRelayBodySchema)(body) as { updatedAt: Date };
    expect(fast.updatedAt).toEqual(new Date('2026-12-03T10:00:00Z'));
    expect(fastParser(klingRelayBodySchema)({ ...body, timestamp: '2026-13-03T10:00:00Z' })).toBe(REFUSED);
  });
});
