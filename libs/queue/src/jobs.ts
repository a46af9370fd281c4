/** The queues. One BullMQ `WorkerHost` per queue in apps/worker. */
export const QueueName = {
  Ingest: 'ingest',
  Maintenance: 'maintenance',
  Pipeline: 'pipeline',
  /** Rebuilds have their own worker slots: a flood of them never holds up new posts (`pipeline`). */
  Rebuild: 'rebuild',
  Actions: 'actions',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/**
 * Every job: its name, its queue and its payload. Payloads carry ids, not data, so a retried job
 * reads the current state; bigint ids travel as decimal strings (JSON has no bigint).
 */
export interface JobPayloads {
  /** Fetch what is new in one source since its stored marker. */
  'sync-source': { sourceId: string };
  /**
   * Look for edits and deletions at origin in a Mastodon source's newest page: what its stream
   * would have announced while it was down (queued when the stream opens again).
   */
  'recheck-source': { sourceId: string };
  /**
   * Posts the Bluesky stream announced, for the sources the community's follow graph names:
   * hydrated once from the AppView, stored once, attached to every source (with the repost that
   * brought it, by DID), the users' pipelines run. `attempt` counts waits for a slow AppView.
   */
  'fanout-posts': {
    items: {
      uri: string;
      sourceIds: string[];
      reason: { by: string; uri: string; at: string } | null;
      /** A new post's record as the stream carried it: stored from it at once where it suffices. */
      record?: { cid: string; value: Record<string, unknown>; at: string };
    }[];
    attempt: number;
  };
  /**
   * Posts stored from their stream records: the AppView's views (counts, author, labels, link-card
   * thumbnails) replace them, and pipelines run again where that changes what they decide on.
   * `attempt` counts waits for a slow AppView.
   */
  'enrich-posts': { uris: string[]; attempt: number };
  /**
   * A member came to follow `actor`: its newest posts and reposts (one `getAuthorFeed` page) join
   * the member's HOME sources, as the AppView's timeline shows them at once.
   */
  'fanout-follow': { member: string; actor: string; sourceIds: string[] };
  /** Page back through a new source's history, up to BACKFILL_DEPTH posts, reporting progress. */
  'backfill-source': { sourceId: string };
  /** Enqueue a sync of every source whose poll is due (the fallback when no stream event came). */
  'poll-sources': Record<string, never>;
  /** Deletes expired tokens and invites and old skipped-record reports. */
  housekeeping: Record<string, never>;
  /** Run every pipeline of the user over these new posts (100–500 ids) and store the entries. */
  'run-pipelines': { userId: string; postIds: string[] };
  /**
   * Rebuild one pipeline's timeline over recent history with this version of its spec, in slices
   * of a few seconds (the job goes back to the queue between them). `userId` is its owner, whose
   * share of the queue it counts against.
   */
  'rebuild-timeline': { pipelineId: string; version: number; userId: string };
  /** Finds rebuilds shown RUNNING whose job failed or was lost (Redis data lost), and settles them. */
  'check-rebuilds': Record<string, never>;
  /** Fetch one filter list again (conditionally); a new version is stored and its pipelines rebuilt. */
  'refresh-filter-list': { listId: string };
  /** Queues a refresh of every subscribed filter list whose time has come. */
  'check-filter-lists': Record<string, never>;
  /** Save the pipeline's read position (Pipeline.readPosition) as the home marker of the user's Mastodon accounts. */
  'save-read-marker': { pipelineId: string };
  /** Fetch a linked account's new notifications (from its stored marker) and store them once. */
  'sync-notifications': { accountId: string };
  /** Save the member's notifications read marker on their linked accounts (Mastodon marker, Bluesky seen). */
  'save-notifications-marker': { userId: string };
  /** Perform one outbound action (like, repost, reply, post…) on its network; idempotent per action. */
  'perform-action': { actionId: string };
}
export type JobName = keyof JobPayloads;

/** Which queue carries each job. Adding a job name without a queue here does not compile. */
export const JOB_QUEUE: { readonly [N in JobName]: QueueName } = {
  'sync-source': QueueName.Ingest,
  'recheck-source': QueueName.Ingest,
  'backfill-source': QueueName.Ingest,
  'fanout-posts': QueueName.Ingest,
  'enrich-posts': QueueName.Ingest,
  'fanout-follow': QueueName.Ingest,
  'poll-sources': QueueName.Maintenance,
  housekeeping: QueueName.Maintenance,
  'run-pipelines': QueueName.Pipeline,
  'rebuild-timeline': QueueName.Rebuild,
  'check-rebuilds': QueueName.Maintenance,
  'refresh-filter-list': QueueName.Maintenance,
  'check-filter-lists': QueueName.Maintenance,
  'save-read-marker': QueueName.Maintenance,
  'perform-action': QueueName.Actions,
  'sync-notifications': QueueName.Ingest,
  'save-notifications-marker': QueueName.Maintenance,
};

export const JOB_NAMES = Object.keys(JOB_QUEUE) as JobName[];

export type JobOf<N extends JobName = JobName> = { [K in N]: { name: K; data: JobPayloads[K] } }[N];

/**
 * The jobs that repeat, and how often (ms). Every worker process keeps their schedulers in Redis,
 * also after Redis lost its data (see apps/worker's JobSchedules).
 */
export const JOB_SCHEDULES = {
  'poll-sources': 60_000,
  housekeeping: 3600_000,
  'check-rebuilds': 60_000,
  'check-filter-lists': 60_000,
} as const satisfies Partial<Record<JobName, number>>;
export type ScheduledJobName = keyof typeof JOB_SCHEDULES;

/**
 * The member a job works for, whose share of its queue it counts against (see FairShare); null for
 * jobs outside fair scheduling.
 */
export function jobOwner(job: JobOf): string | null {
  switch (job.name) {
    case 'run-pipelines':
    case 'rebuild-timeline':
      return typeof job.data.userId === 'string' ? job.data.userId : null;
    default:
      return null;
  }
}
