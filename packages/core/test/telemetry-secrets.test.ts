import { randomBytes } from 'node:crypto';
import {
  callbackToken,
  createKlingReceiver,
  hmacSignature,
  klingSignature,
  signBody,
  signCallbackUrl,
  signKlingWebhook,
} from '@kling-webhooks/core';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { otelHarness } from './otel-fixtures.js';
import { captureLogger } from './receiver-fixtures.js';

const KLING_SECRETS = [0, 1].map(() => `whsec_${randomBytes(24).toString('base64')}`);
const HMAC_SECRET = randomBytes(16).toString('hex');
const TOKEN_SECRET = randomBytes(32).toString('hex');

/** A marker long enough that it cannot turn up in an attribute by chance. */
const marker = fc.string({ minLength: 12, maxLength: 40 }).map((s) => `m4rk3r-${s}`);

describe('no secret, token, signature or body in spans and metrics', () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });

  it('holds for any body and any verifier outcome (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        marker,
        marker,
        fc.constantFrom('submitted', 'processing', 'succeed', 'failed'),
        fc.constantFrom('kling', 'kling-old', 'hmac', 'token', 'forged'),
        fc.boolean(),
        async (message, url, status, signedBy, fail) => {
          const otel = otelHarness();
          const receiver = createKlingReceiver({
            verify: [
              klingSignature({ secrets: KLING_SECRETS }),
              hmacSignature({ secrets: [HMAC_SECRET] }),
              callbackToken({ secret: TOKEN_SECRET }),
            ],
            logger: captureLogger(),
            telemetry: { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider },
          });
          receiver.on('*', () => {
            if (fail) throw new Error(`failed on ${message}`);
          });
          const body = JSON.stringify({
            task_id: `8${randomBytes(6).readUIntBE(0, 6)}`,
            task_status: status,
            task_status_msg: message,
            task_result: { videos: [{ id: 'v', url: `https://cdn.example.com/${url}.mp4`, duration: '5' }] },
          });
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          let requestUrl = '/webhooks/kling';
          const leaks = [body, message, url, ...KLING_SECRETS, HMAC_SECRET, TOKEN_SECRET];
          if (signedBy === 'kling' || signedBy === 'kling-old' || signedBy === 'forged') {
            const secret = signedBy === 'kling-old' ? KLING_SECRETS[1]! : KLING_SECRETS[0]!;
            const signed = signKlingWebhook({ secret, body: signedBy === 'forged' ? `${body} ` : body });
            Object.assign(headers, signed);
            leaks.push(signed['webhook-signature'], signed['webhook-signature'].slice(3));
          } else if (signedBy === 'hmac') {
            headers['x-kling-signature'] = signBody(body, HMAC_SECRET);
            leaks.push(headers['x-kling-signature']);
          } else {
            requestUrl = await signCallbackUrl('https://example.com/webhooks/kling', { secret: TOKEN_SECRET });
            leaks.push(new URL(requestUrl).searchParams.get('token')!, requestUrl);
            requestUrl = new URL(requestUrl).pathname + new URL(requestUrl).search;
          }
          await receiver.handle({ method: 'POST', url: requestUrl, headers, rawBody: Buffer.from(body) });
          const values = (await otel.allAttributes()).flatMap((attributes) =>
            Object.values(attributes).map((value) => String(value)),
          );
          expect(values.length).toBeGreaterThan(5);
          for (const value of values) {
            for (const leak of leaks) expect(value.includes(leak)).toBe(false);
          }
          await otel.shutdown();
        },
      ),
      { numRuns: 60 },
    );
  });
});
