import { randomBytes, randomUUID } from 'node:crypto';
import { klingSignature, signKlingWebhook } from '@kling-webhooks/core';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';

/** The two HTTP platforms the module mounts on. */
export const platforms = ['express', 'fastify'] as const;
export type Platform = (typeof platforms)[number];

/** A running Nest app on an ephemeral loopback port. */
export interface RunningApp {
  app: INestApplication;
  baseUrl: string;
  close(): Promise<void>;
}

/** Creates, initialises and starts a Nest app for `module` on `platform`. */
export async function startNest(
  module: unknown,
  platform: Platform,
  options: { rawBody?: boolean; logger?: LoggerService | false } = {},
): Promise<RunningApp> {
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(module as never, adapter, {
    logger: options.logger ?? false,
    rawBody: options.rawBody ?? false,
  });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, baseUrl: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

/** A fresh `whsec_` secret. */
export const newSecret = (): string => `whsec_${randomBytes(24).toString('base64')}`;

/** A fresh task id, so tests never dedupe against each other. */
export const newTaskId = (): string => randomUUID();

/** `klingSignature` for `secret`. */
export const verifyWith = (secret: string) => klingSignature({ secrets: [secret] });

/** A legacy-dialect body with unusual spacing and key order: re-serialising it would break the signature. */
export function legacyBody(taskId: string, status: string, extra = ''): string {
  return `{ "task_status" :"${status}",  "task_id":"${taskId}" ,"task_status_msg":"${status === 'failed' ? 'out of credits' : ''}",
  "task_result": {"videos":[{"url":"https://cdn.example.com/${taskId}.mp4","id":"v-1","duration":"5.1"}]}${extra} }`;
}

/** POSTs `body` signed with `secret` to `url`. */
export async function postSigned(url: string, body: string, secret: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...signKlingWebhook({ secret, body }) },
    body,
  });
}
