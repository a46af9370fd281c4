/** The queues. One BullMQ `WorkerHost` per queue in apps/worker. */
export const QueueName = {
  Ingest: 'ingest',
  Pipeline: 'pipeline',
  Actions: 'actions',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/**
 * Every job: its name, its queue and its payload. Payloads carry ids, not data, so a retried job
 * reads the current state; bigint ids travel as decimal strings (JSON has no bigint).
 */
export interface JobPayloads {
  /** Fetch what is new in one source since its stored cursor. */
  'sync-source': { sourceId: string };
  /** Page back through a new source's history, up to the configured depth, reporting progress. */
  'backfill-source': { sourceId: string };
  /** Run a user's pipelines over newly ingested posts. */
  'run-pipelines': { userId: string; postIds: string[] };
  /** Recompute a pipeline's whole timeline over recent history after it changed. */
  'rebuild-timeline': { pipelineId: string; version: number };
  /** Perform one outbound action (like, post…) on its network. */
  'perform-action': { actionId: string };
}
export type JobName = keyof JobPayloads;

/** Which queue carries each job. Adding a job name without a queue here does not compile. */
export const JOB_QUEUE: { readonly [N in JobName]: QueueName } = {
  'sync-source': QueueName.Ingest,
  'backfill-source': QueueName.Ingest,
  'run-pipelines': QueueName.Pipeline,
  'rebuild-timeline': QueueName.Pipeline,
  'perform-action': QueueName.Actions,
};

export const JOB_NAMES = Object.keys(JOB_QUEUE) as JobName[];

export type JobOf<N extends JobName = JobName> = { [K in N]: { name: K; data: JobPayloads[K] } }[N];
