import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { JOB_QUEUE, QueueName } from './jobs.js';
import type { JobName, JobPayloads } from './jobs.js';
import { jobOptions } from './job-options.js';

/** The one way to enqueue: typed payloads, the right queue and the job's options. */
@Injectable()
export class JobQueue {
  private readonly queues: Record<QueueName, Queue>;

  constructor(
    @InjectQueue(QueueName.Ingest) ingest: Queue,
    @InjectQueue(QueueName.Maintenance) maintenance: Queue,
    @InjectQueue(QueueName.Pipeline) pipeline: Queue,
    @InjectQueue(QueueName.Actions) actions: Queue,
  ) {
    this.queues = {
      [QueueName.Ingest]: ingest,
      [QueueName.Maintenance]: maintenance,
      [QueueName.Pipeline]: pipeline,
      [QueueName.Actions]: actions,
    };
  }

  async enqueue<N extends JobName>(name: N, data: JobPayloads[N], delayMs = 0): Promise<void> {
    await this.queue(name).add(name, data, {
      ...jobOptions(name, data),
      ...(delayMs ? { delay: delayMs } : {}),
    });
  }

  async enqueueMany<N extends JobName>(name: N, items: JobPayloads[N][]): Promise<void> {
    if (items.length === 0) return;
    await this.queue(name).addBulk(items.map((data) => ({ name, data, opts: jobOptions(name, data) })));
  }

  queue(name: JobName): Queue {
    return this.queues[JOB_QUEUE[name]];
  }
}
