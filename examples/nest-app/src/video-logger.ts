import type { KlingFailedEvent, KlingSucceededEvent } from '@kling-webhooks/core';
import { OnKlingFailed, OnKlingSucceeded } from '@kling-webhooks/nestjs';
import { Injectable, Logger } from '@nestjs/common';

/** Logs where each finished video is (copy it somewhere: Kling deletes result files after 30 days). */
@Injectable()
export class VideoLogger {
  private readonly logger = new Logger(VideoLogger.name);

  @OnKlingSucceeded()
  saved(event: KlingSucceededEvent): void {
    for (const video of event.videos) this.logger.log(`task ${event.taskId} succeeded: ${video.url}`);
  }

  @OnKlingFailed()
  failed(event: KlingFailedEvent): void {
    this.logger.warn(`task ${event.taskId} failed: ${event.message}`);
  }
}
