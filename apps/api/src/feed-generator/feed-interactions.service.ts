// app.bsky.feed.sendInteractions: "show more / less like this", "seen", likes… about items a feed
// served, each echoing the item's feedContext (its timeline entry). Stored per pipeline for the
// viewer's own entries only; a stage can read them (not yet: see the README's feed section).
import { Injectable } from '@nestjs/common';
import { Network } from '@tributary/core';
import { PrismaService } from '@tributary/db';
import { FeedSkeletonService } from './feed-skeleton.service.js';
import { XrpcException } from './service-did.js';

export const SEND_INTERACTIONS = 'app.bsky.feed.sendInteractions';
const MAX_INTERACTIONS = 100;
const EVENT = /^app\.bsky\.feed\.defs#([A-Za-z]{1,40})$/;
const ENTRY_ID = /^[1-9][0-9]{0,18}$/;

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
  ) {}

  async receive(authorization: string | undefined, body: InteractionsInput): Promise<void> {
    const serviceDid = this.skeletons.serviceDid;
    if (!serviceDid) throw new XrpcException(404, 'MethodNotImplemented', 'PUBLIC_URL is not set');
    const interactions = parse(body);
    let members: string[] = [];
    const viewer = await this.skeletons.viewer(authorization, serviceDid, SEND_INTERACTIONS, async (did) => {
      members = (
        await this.db.client.linkedAccount.findMany({
          where: { network: Network.Bluesky, networkAccountId: did },
          select: { userId: true },
        })
      ).map((a) => a.userId);
      return members.length > 0;
    });
    if (viewer === null) {
      if (!authorization) throw new XrpcException(401, 'AuthenticationRequired', 'a service JWT is required');
      return; // not a member: nothing of theirs to learn from
    }
    if (interactions.length === 0) return;
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
    if (rows.length > 0) await this.db.client.feedInteraction.createMany({ data: rows });
  }
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
