import { KlingConfigError } from '@kling-webhooks/core';
import type { Application, RequestHandler } from 'express';

/**
 * The one place this adapter relies on undocumented Express internals, because nothing documented can read a body
 * ahead of parsers that were mounted first: an application's router keeps its layers in `app.router.stack`, in order,
 * and `router.use(path, fn)` appends one layer whose `handle` is `fn`. This adds `handler` at `path` and moves its
 * layer to the front of the stack. Checked on every call, so a release that changes either fact fails at start-up with
 * a {@link KlingConfigError} instead of silently leaving the layer behind the parsers (test:
 * packages/express/test/express-internals.test.ts).
 */
export function mountAheadOfEverything(app: Application, path: string, handler: RequestHandler): void {
  const router: unknown = (app as { router?: unknown }).router;
  const stack: unknown = (router as { stack?: unknown } | undefined)?.stack;
  if (typeof (router as { use?: unknown } | undefined)?.use !== 'function' || !Array.isArray(stack)) {
    throw internalsChanged('the application has no app.router.stack');
  }
  (router as { use(path: string, handler: RequestHandler): void }).use(path, handler);
  const added: unknown = stack.at(-1);
  if ((added as { handle?: unknown } | undefined)?.handle !== handler) {
    throw internalsChanged('router.use() did not append its layer to app.router.stack');
  }
  stack.pop();
  stack.unshift(added);
}

/**
 * Makes `middleware` learn the application it is mounted on: `app.use()` tells sub-applications (which it recognises
 * by their `handle` and `set` functions) that they were mounted, by emitting `mount` with the parent. The middleware
 * gets both functions (without becoming an app: no settings, no prototype swap) and `onMount` is called with the
 * parent. Undocumented as well; the same test covers it.
 */
export function onMountedByApp<T extends RequestHandler>(
  middleware: T,
  onMount: (parent: Application, mountpath: string) => void,
): T & { mountpath: string } {
  const mountable = Object.assign(middleware, {
    handle: middleware,
    mountpath: '/',
    set: () => mountable,
    emit: (event: string, parent: Application): boolean => {
      if (event === 'mount') onMount(parent, mountable.mountpath);
      return true;
    },
  });
  return mountable;
}

function internalsChanged(what: string): KlingConfigError {
  return new KlingConfigError(
    `@kling-webhooks/express cannot mount its route ahead of the body parsers: ${what}. This Express version is not ` +
      'one the adapter supports (Express 5.x); mount klingWebhooks() in a Router before any body parser instead.',
  );
}
