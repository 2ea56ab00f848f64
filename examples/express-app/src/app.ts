import { type KlingStore, klingSignature } from '@kling-webhooks/core';
import { type KlingExpressMiddleware, klingWebhooks } from '@kling-webhooks/express';
import express, { type Express } from 'express';

/** Where Kling's callbacks go: give `http(s)://<your host><callbackPath>` as the tasks' `callback_url`. */
export const callbackPath = '/webhooks/kling';

/** Options of `createApp`. */
export interface AppOptions {
  /** The `whsec_` Webhook Secret(s) from the Kling console (two during a rotation). */
  secrets: string[];
  /** Remembers which states were handled; share it with a reconciler that polls the same tasks. */
  store: KlingStore;
}

/** What `createApp` returns: the app to `listen` with, and the middleware whose `receiver` takes handlers. */
export interface ExampleApp {
  app: Express;
  kling: KlingExpressMiddleware;
}

/**
 * The example's Express app: Kling callbacks at `callbackPath` (signature checked, each state of each task handled
 * once) and `GET /health`. Add handlers on `kling.receiver`. Throws `KlingConfigError` when a secret is not usable.
 */
export function createApp({ secrets, store }: AppOptions): ExampleApp {
  const kling = klingWebhooks({ path: callbackPath, verify: klingSignature({ secrets }), store });
  const app = express();
  // Other routes parse JSON as usual; the callback route still verifies the exact bytes Kling sent.
  app.use(express.json());
  app.use(kling);
  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });
  return { app, kling };
}
