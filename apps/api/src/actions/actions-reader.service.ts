import { Injectable } from '@nestjs/common';
import { PrismaService } from '@tributary/db';
import { isUuid } from '../common/ids.js';
import { toActionModel } from './action.model.js';
import type { ActionModel } from './action.model.js';

/** Most actions one `actions` query returns. */
export const MAX_ACTIONS_PAGE = 100;

/** Reads a user's outbound actions; every query is scoped by the user, so another's id is not found. */
@Injectable()
export class ActionsReader {
  constructor(private readonly db: PrismaService) {}

  /** One action of the user, or null (unknown id, not a UUID, or someone else's). */
  async byId(userId: string, actionId: string): Promise<ActionModel | null> {
    if (!isUuid(actionId)) return null;
    const row = await this.db.client.outboundAction.findFirst({ where: { id: actionId, userId } });
    return row ? toActionModel(row) : null;
  }

  /** The user's most recent actions, newest first. */
  async recent(userId: string, first: number): Promise<ActionModel[]> {
    const rows = await this.db.client.outboundAction.findMany({
      where: { userId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: Math.min(Math.max(first, 0), MAX_ACTIONS_PAGE),
    });
    return rows.map(toActionModel);
  }
}
