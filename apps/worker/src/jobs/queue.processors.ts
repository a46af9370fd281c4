import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { QueueName } from '@tributary/queue';
import type { Job } from 'bullmq';
import { JobHandlerRegistry } from './job-handler.registry.js';
import { OwnerSlots } from './owner-slots.js';

// One WorkerHost per queue, each dispatching on `job.name` through the registry.

@Processor(QueueName.Ingest)
export class IngestProcessor extends WorkerHost {
  constructor(private readonly registry: JobHandlerRegistry) {
    super();
  }
  process(job: Job, token?: string): Promise<unknown> {
    return this.registry.run(job, token);
  }
}

@Processor(QueueName.Maintenance)
export class MaintenanceProcessor extends WorkerHost {
  constructor(private readonly registry: JobHandlerRegistry) {
    super();
  }
  process(job: Job, token?: string): Promise<unknown> {
    return this.registry.run(job, token);
  }
}

@Processor(QueueName.Pipeline)
export class PipelineProcessor extends WorkerHost {
  private readonly slots: OwnerSlots;
  constructor(
    private readonly registry: JobHandlerRegistry,
    @Inject(CONFIG) config: Config,
  ) {
    super();
    this.slots = new OwnerSlots(config.WORKER_CONCURRENCY);
  }
  process(job: Job, token?: string): Promise<unknown> {
    return this.slots.run(job, token, () => this.registry.run(job, token));
  }
}

@Processor(QueueName.Rebuild)
export class RebuildProcessor extends WorkerHost {
  private readonly slots: OwnerSlots;
  constructor(
    private readonly registry: JobHandlerRegistry,
    @Inject(CONFIG) config: Config,
  ) {
    super();
    this.slots = new OwnerSlots(config.WORKER_CONCURRENCY);
  }
  process(job: Job, token?: string): Promise<unknown> {
    return this.slots.run(job, token, () => this.registry.run(job, token));
  }
}

@Processor(QueueName.Actions)
export class ActionsProcessor extends WorkerHost {
  constructor(private readonly registry: JobHandlerRegistry) {
    super();
  }
  process(job: Job, token?: string): Promise<unknown> {
    return this.registry.run(job, token);
  }
}

export const QUEUE_PROCESSORS = [
  IngestProcessor,
  MaintenanceProcessor,
  PipelineProcessor,
  RebuildProcessor,
  ActionsProcessor,
];
