import { createRequire } from 'node:module';
import { KlingConfigError, silentLogger } from '@kling-webhooks/core';
import express, { type Application, type RequestHandler } from 'express';
import { describe, expect, it } from 'vitest';
import { mountAheadOfEverything, onMountedByApp } from '../src/express-internals.js';
import { klingWebhooks, mountKlingWebhooksFirst } from '../src/index.js';

/**
 * The undocumented Express internals the adapter relies on, checked directly on the Expresses we support: the one CI
 * installs (the latest 5.x) and the lowest the peer range allows (5.0.0). When a release changes them, this file
 * fails, naming the fact that no longer holds.
 */
const require = createRequire(import.meta.url);
const versionOf = (name: string): string => (require(`${name}/package.json`) as { version: string }).version;
const expresses = [
  { version: versionOf('express'), express },
  // Installed under an alias (no types of its own): the same API as the typed one.
  { version: versionOf('express-lowest'), express: require('express-lowest') as typeof express },
];

const stackOf = (app: Application): { handle: unknown }[] =>
  (app as unknown as { router: { stack: { handle: unknown }[] } }).router.stack;
const options = { path: '/webhooks/kling', verify: 'none', logger: silentLogger } as const;

describe.each(expresses)('Express $version: the internals behind mounting ahead of the parsers', ({ express }) => {
  it('app.use() emits "mount" with the parent app and the mount path to a function with handle and set', () => {
    const app = express();
    const mounts: [Application, string][] = [];
    const handler: RequestHandler = (_req, _res, next) => next();
    app.use(
      '/hooks',
      onMountedByApp(handler, (parent, mountpath) => mounts.push([parent, mountpath])),
    );
    expect(mounts).toEqual([[app, '/hooks']]);
  });

  it('router.use() appends one layer whose handle is the function, and the layer can be moved to the front', () => {
    const app = express();
    app.use(express.json());
    const before = stackOf(app).length;
    const handler: RequestHandler = (_req, _res, next) => next();
    mountAheadOfEverything(app, '/', handler);
    expect(stackOf(app)).toHaveLength(before + 1);
    expect(stackOf(app)[0]?.handle).toBe(handler);
  });

  it('klingWebhooks() mounted after express.json() puts its capture layer first; mountKlingWebhooksFirst its route', () => {
    const app = express();
    app.use(express.json());
    const parser = stackOf(app).at(-1)?.handle;
    app.use(klingWebhooks(options));
    expect(stackOf(app)[0]?.handle).not.toBe(parser);
    expect(stackOf(app).findIndex((layer) => layer.handle === parser)).toBe(1);

    const other = express();
    other.use(express.json());
    const middleware = mountKlingWebhooksFirst(other, options);
    expect(stackOf(other)[0]?.handle).toBe(middleware);
  });

  it('an application whose router is not what the adapter expects fails at start-up with a KlingConfigError', () => {
    const handler: RequestHandler = (_req, _res, next) => next();
    const noStack = { router: { use: () => undefined } } as unknown as Application;
    expect(() => mountAheadOfEverything(noStack, '/', handler)).toThrow(KlingConfigError);
    expect(() => mountAheadOfEverything(noStack, '/', handler)).toThrow(/no app\.router\.stack/);
    const notAppended = { router: { stack: [], use: () => undefined } } as unknown as Application;
    expect(() => mountAheadOfEverything(notAppended, '/', handler)).toThrow(/did not append its layer/);
    expect(() => mountKlingWebhooksFirst({} as Application, options)).toThrow(KlingConfigError);
  });
});
