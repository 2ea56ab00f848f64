import {
  type KlingFailedEvent,
  type KlingLogger,
  type KlingSucceededEvent,
  type KlingTaskEvent,
  memoryStore,
} from '@kling-webhooks/core';
import { Controller, Inject, Injectable, Module, Scope } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KlingModule, OnKlingEvent, OnKlingFailed, OnKlingSucceeded } from '../src/index.js';
import { legacyBody, newSecret, newTaskId, postSigned, type RunningApp, startNest, verifyWith } from './nest-app.js';

const PATH = '/webhooks/kling';

/** A plain dependency: if constructor injection silently failed, calling it would throw. */
@Injectable()
class Ledger {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
}

/** Handlers that need `this` (the instance) and an injected provider. No @Inject: this relies on decorator metadata. */
@Injectable()
class VideoHandlers {
  constructor(private readonly ledger: Ledger) {}

  @OnKlingSucceeded()
  async saved(event: KlingSucceededEvent): Promise<void> {
    // Written only after a pause: the answer must wait for the returned promise.
    await new Promise((resolve) => setTimeout(resolve, 20));
    this.ledger.write(`succeed ${event.taskId} ${event.videos[0]?.url}`);
  }

  @OnKlingFailed()
  failed(event: KlingFailedEvent): void {
    this.ledger.write(`failed ${event.taskId} ${event.message}`);
  }

  @OnKlingEvent('submitted')
  @OnKlingEvent('processing')
  progressed(event: KlingTaskEvent): void {
    this.ledger.write(`${event.status} ${event.taskId}`);
  }

  notAHandler(): void {
    this.ledger.write('never');
  }
}

/** Handlers on a controller and on every event. */
@Controller()
class EveryEventController {
  constructor(@Inject(Ledger) private readonly ledger: Ledger) {}

  @OnKlingEvent('*')
  any(event: KlingTaskEvent): void {
    this.ledger.write(`* ${event.status} ${event.taskId}`);
  }
}

/** A synchronous handler that throws for the tasks listed, once each. */
@Injectable()
class FlakyHandlers {
  readonly failOnce = new Set<string>();
  readonly handled: string[] = [];

  @OnKlingEvent('submitted')
  submitted(event: KlingTaskEvent): void {
    if (this.failOnce.delete(event.taskId)) throw new Error('synchronous handler failure');
    this.handled.push(event.taskId);
  }
}

/** A request-scoped provider cannot be called outside a request: it is skipped with a warning. */
@Injectable({ scope: Scope.REQUEST })
class RequestScopedHandlers {
  @OnKlingSucceeded()
  saved(): void {
    throw new Error('a request-scoped handler must not be subscribed');
  }
}

const warnings: string[] = [];
const logger: KlingLogger = {
  debug: () => {},
  info: () => {},
  warn: (message) => warnings.push(message),
  error: () => {},
};
const secret = newSecret();

@Module({
  imports: [KlingModule.forRoot({ path: PATH, verify: verifyWith(secret), store: memoryStore(), logger })],
  providers: [Ledger, VideoHandlers, FlakyHandlers, RequestScopedHandlers],
  controllers: [EveryEventController],
})
class AppModule {}

describe('handler discovery', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startNest(AppModule, 'express');
  });
  afterAll(() => running.close());

  const send = async (taskId: string, status: string) =>
    (await postSigned(`${running.baseUrl}${PATH}`, legacyBody(taskId, status), secret)).status;

  it('calls each decorated method with `this` bound and its injected dependencies, once per status', async () => {
    const ledger = running.app.get(Ledger);
    const taskId = newTaskId();
    expect(await send(taskId, 'submitted')).toBe(200);
    expect(await send(taskId, 'processing')).toBe(200);
    expect(await send(taskId, 'succeed')).toBe(200);
    const lines = ledger.lines.filter((line) => line.includes(taskId));
    expect(lines.sort()).toEqual(
      [
        `submitted ${taskId}`,
        `processing ${taskId}`,
        `succeed ${taskId} https://cdn.example.com/${taskId}.mp4`,
        `* submitted ${taskId}`,
        `* processing ${taskId}`,
        `* succeed ${taskId}`,
      ].sort(),
    );
    expect(ledger.lines).not.toContain('never');
  });

  it('gives a failed handler the failure message', async () => {
    const ledger = running.app.get(Ledger);
    const taskId = newTaskId();
    expect(await send(taskId, 'failed')).toBe(200);
    expect(ledger.lines).toContain(`failed ${taskId} out of credits`);
  });

  it('answers 500 when a synchronous handler throws, and handles the same delivery sent again', async () => {
    const flaky = running.app.get(FlakyHandlers);
    const taskId = newTaskId();
    flaky.failOnce.add(taskId);
    expect(await send(taskId, 'submitted')).toBe(500);
    expect(flaky.handled).not.toContain(taskId);
    expect(await send(taskId, 'submitted')).toBe(200);
    expect(flaky.handled.filter((id) => id === taskId)).toHaveLength(1);
  });

  it('skips request-scoped providers with a warning naming them', () => {
    expect(warnings.some((line) => line.includes('RequestScopedHandlers') && line.includes('not subscribed'))).toBe(
      true,
    );
  });
});
