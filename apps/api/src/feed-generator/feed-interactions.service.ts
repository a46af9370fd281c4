// app.bsky.feed.sendInteractions: "show more / less like this", "seen", likes… about items a feed
// served, each echoing the item's feedContext (its timeline entry). Stored per pipeline for the
// viewer's own entries only; a pipeline's `feedback` stage reads them (libs/timeline), and the
// entries they change are run through the pipeline again by the worker.
import { Injectable } from '@nestjs/common';
import { Network } from '@tributary/core';
import { PrismaService } from '@tributary/db';
import { JobQueue } from '@tributary/queue';
import { postsAffectedByFeedback } from '@tributary/timeline';
import { FeedSkeletonService } from './feed-skeleton.service.js';
import { XrpcException } from './service-did.js';

export const SEND_INTERACTIONS = 'app.bsky.feed.sendInteractions';
const MAX_INTERACTIONS = 100;
const EVENT = /^app\.bsky\.feed\.defs#([A-Za-z]{1,40})$/;
const ENTRY_ID = /^[1-9][0-9]{0,18}$/;
/** Events the `feedback` stage reads: "seen" is about the item, less/more about its author. */
const SEEN = 'interactionSeen';
const ABOUT_AUTHOR = new Set(['requestLess', 'requestMore']);
/** An author's entries re-ranked after one request at most (their newest). */
const MAX_RERANKED = 500;

export interface InteractionsInput {
  interactions?: unknown;
}

interface Interaction {
  item: string;
  event: string;
  entryId: string;
}

@Injectable()
export class FeedInteractionsService {
  constructor(
    private readonly db: PrismaService,
    private readonly skeletons: FeedSkeletonService,
    private readonly jobs: JobQueue,
  ) {}

  async receive(authorization: string | undefined, body: InteractionsInput): Promise<void> {
    const serviceDid = this.skeletons.serviceDid;
    if (!serviceDid) throw new XrpcException(404, 'MethodNotImplemented', 'PUBLIC_URL is not set');
    const interactions = parse(body);
    const viewer = await this.skeletons.viewer(authorization, serviceDid, SEND_INTERACTIONS);
    if (viewer === null) {
      if (!authorization) throw new XrpcException(401, 'AuthenticationRequired', 'a service JWT is required');
      return; // not a member: nothing of theirs to learn from
    }
    if (interactions.length === 0) return;
    const members = (
      await this.db.client.linkedAccount.findMany({
        where: { network: Network.Bluesky, networkAccountId: viewer },
        select: { userId: true },
      })
    ).map((a) => a.userId);
    // Only the viewer's own entries: a feedContext naming someone else's entry is dropped.
    const entries = await this.db.client.timelineEntry.findMany({
      where: { id: { in: interactions.map((i) => BigInt(i.entryId)) }, userId: { in: members } },
      select: { id: true, userId: true, pipelineId: true },
    });
    const byId = new Map(entries.map((e) => [String(e.id), e]));
    const rows = interactions.flatMap((i) => {
      const entry = byId.get(i.entryId);
      return entry
        ? [
            {
              userId: entry.userId,
              pipelineId: entry.pipelineId,
              entryId: entry.id,
              postUri: i.item,
              event: i.event,
            },
          ]
        : [];
    });
    if (rows.length === 0) return;
    await this.db.client.feedInteraction.createMany({ data: rows });
    await this.rerank(rows);
  }

  /**
   * Runs the entries this feedback changes through their pipeline again (the worker's
   * run-pipelines job, an idempotent upsert), for pipelines with a `feedback` stage.
   */
  private async rerank(rows: { userId: string; pipelineId: string; entryId: bigint; event: string }[]) {
    const pipelines = await this.db.client.pipeline.findMany({
      where: { id: { in: [...new Set(rows.map((r) => r.pipelineId))] } },
      select: { id: true, userId: true, spec: true },
    });
    for (const pipeline of pipelines.filter((p) => hasFeedbackStage(p.spec))) {
      const mine = rows.filter((r) => r.pipelineId === pipeline.id);
      const postIds = await postsAffectedByFeedback(
        this.db.sql,
        pipeline.id,
        mine.filter((r) => r.event === SEEN).map((r) => r.entryId),
        mine.filter((r) => ABOUT_AUTHOR.has(r.event)).map((r) => r.entryId),
        MAX_RERANKED,
      );
      if (postIds.length > 0) await this.jobs.enqueue('run-pipelines', { userId: pipeline.userId, postIds });
    }
  }
}

function hasFeedbackStage(spec: unknown): boolean {
  const stages = (spec as { stages?: unknown } | null)?.stages;
  return (
    Array.isArray(stages) &&
    stages.some(
      (s) =>
        (s as { use?: unknown; enabled?: unknown } | null)?.use === 'feedback' &&
        (s as { enabled?: unknown }).enabled !== false,
    )
  );
}

function parse(body: InteractionsInput): Interaction[] {
  const list = body?.interactions;
  if (!Array.isArray(list) || list.length > MAX_INTERACTIONS) {
    throw new XrpcException(
      400,
      'InvalidRequest',
      `interactions: expected at most ${MAX_INTERACTIONS} items`,
    );
  }
  return list.flatMap((raw: unknown) => {
    const i = raw as { item?: unknown; event?: unknown; feedContext?: unknown } | null;
    if (typeof i?.item !== 'string' || !i.item.startsWith('at://') || i.item.length > 1000) return [];
    const event = typeof i.event === 'string' ? EVENT.exec(i.event)?.[1] : undefined;
    const entryId = typeof i.feedContext === 'string' && ENTRY_ID.test(i.feedContext) ? i.feedContext : null;
    return event && entryId ? [{ item: i.item, event, entryId }] : [];
  });
}
