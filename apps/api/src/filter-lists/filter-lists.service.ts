import { Injectable } from '@nestjs/common';
import { PrismaService } from '@tributary/db';
import type { FilterList, FilterListFormat, Pipeline } from '@tributary/db';
import { FilterListError, FilterListService } from '@tributary/timeline';
import type { FilterListPins } from '@tributary/timeline';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { isUuid } from '../common/ids.js';
import { PipelinesService } from '../pipelines/pipelines.service.js';
import type { FilterActionModel, FilterListSubscriptionModel } from './filter-list.model.js';
import { toFilterListModel } from './filter-list.model.js';

interface Stage {
  use?: unknown;
  with?: { lists?: { id: string; action?: string }[] } & Record<string, unknown>;
}
type Spec = { stages?: Stage[] } & Record<string, unknown>;

function stagesOf(spec: unknown): Stage[] {
  const stages = (spec as Spec | null)?.stages;
  return Array.isArray(stages) ? stages : [];
}

/** The spec with `listId` in its (first) filter-list stage at `action`; a new stage after the others. */
export function withList(spec: unknown, listId: string, action: string): Spec {
  const copy = structuredClone(spec) as Spec;
  const stages = (copy.stages ??= []);
  for (const stage of stages) {
    const entry = stage.use === 'filter-list' ? stage.with?.lists?.find((l) => l.id === listId) : undefined;
    if (entry) {
      entry.action = action;
      return copy;
    }
  }
  const stage = stages.find((s) => s.use === 'filter-list' && Array.isArray(s.with?.lists));
  if (stage) stage.with!.lists!.push({ id: listId, action });
  else stages.push({ use: 'filter-list', with: { lists: [{ id: listId, action }] } });
  return copy;
}

/** The spec without `listId` in any filter-list stage; a stage left with no list and no exception goes. */
export function withoutList(spec: unknown, listId: string): Spec {
  const copy = structuredClone(spec) as Spec;
  copy.stages = stagesOf(copy).filter((stage) => {
    if (stage.use !== 'filter-list' || !Array.isArray(stage.with?.lists)) return true;
    stage.with.lists = stage.with.lists.filter((l) => l.id !== listId);
    return stage.with.lists.length > 0 || stage.with['except'] !== undefined;
  });
  return copy;
}

function toAppException(error: unknown): unknown {
  if (!(error instanceof FilterListError)) return error;
  return new AppException(
    error.code === 'UNAVAILABLE' ? AppErrorCode.UpstreamUnavailable : AppErrorCode.BadUserInput,
    error.message,
    { reason: error.code },
  );
}

/**
 * Filter-list subscriptions of a member's pipelines (in their specs, so a subscription is versioned
 * and rebuilt like any edit), and the lists the admin offers to every member.
 */
@Injectable()
export class FilterListsApiService {
  constructor(
    private readonly db: PrismaService,
    private readonly lists: FilterListService,
    private readonly pipelines: PipelinesService,
  ) {}

  async subscribe(
    userId: string,
    pipelineId: string,
    source: string,
    format: FilterListFormat | null,
    action: FilterActionModel,
  ): Promise<Pipeline> {
    const pipeline = await this.pipelines.find(userId, pipelineId);
    if (!pipeline) throw new AppException(AppErrorCode.NotFound, 'pipeline not found');
    const list = await this.ensure(source, format);
    return this.pipelines.update(userId, pipeline.id, null, withList(pipeline.spec, list.id, action));
  }

  async unsubscribe(userId: string, pipelineId: string, listId: string): Promise<Pipeline> {
    const pipeline = await this.pipelines.find(userId, pipelineId);
    if (!pipeline) throw new AppException(AppErrorCode.NotFound, 'pipeline not found');
    const id = listId.toLowerCase();
    if (
      !stagesOf(pipeline.spec).some((s) => s.use === 'filter-list' && s.with?.lists?.some((l) => l.id === id))
    )
      throw new AppException(AppErrorCode.NotFound, 'this pipeline does not subscribe to that filter list');
    return this.pipelines.update(userId, pipeline.id, null, withoutList(pipeline.spec, id));
  }

  /** The lists a pipeline (already read for its owner) subscribes to, with their status. */
  async subscriptions(pipeline: {
    id: string;
    spec: unknown;
    version: number;
  }): Promise<FilterListSubscriptionModel[]> {
    const entries: { id: string; action: string; stage: number }[] = [];
    stagesOf(pipeline.spec).forEach((stage, index) => {
      if (stage.use !== 'filter-list' || !Array.isArray(stage.with?.lists)) return;
      for (const l of stage.with.lists)
        if (typeof l?.id === 'string')
          entries.push({ id: l.id.toLowerCase(), action: l.action ?? 'hide', stage: index });
    });
    if (entries.length === 0) return [];
    const [rows, stored] = await Promise.all([
      this.db.client.filterList.findMany({ where: { id: { in: entries.map((e) => e.id).filter(isUuid) } } }),
      this.db.client.pipelineVersion.findUnique({
        where: { pipelineId_version: { pipelineId: pipeline.id, version: pipeline.version } },
        select: { filterLists: true },
      }),
    ]);
    const pins = (stored?.filterLists ?? {}) as FilterListPins;
    return entries.flatMap((e) => {
      const row = rows.find((r) => r.id === e.id);
      return row
        ? [
            {
              list: toFilterListModel(row),
              action: e.action as FilterActionModel,
              stage: e.stage,
              pinnedVersion: pins[e.id] ?? null,
            },
          ]
        : [];
    });
  }

  offered(): Promise<FilterList[]> {
    return this.db.client.filterList.findMany({ where: { offered: true }, orderBy: { createdAt: 'asc' } });
  }

  /** Admin: offers a list to every member (new members' default pipeline subscribes to it). */
  async offer(
    source: string,
    format: FilterListFormat | null,
    action: FilterActionModel,
  ): Promise<FilterList> {
    const list = await this.ensure(source, format);
    return this.db.client.filterList.update({
      where: { id: list.id },
      data: { offered: true, offeredAction: action },
    });
  }

  /** Admin: stops offering a list (pipelines that subscribe to it keep it). */
  async withdraw(listId: string): Promise<boolean> {
    if (!isUuid(listId)) throw new AppException(AppErrorCode.NotFound, 'filter list not found');
    const { count } = await this.db.client.filterList.updateMany({
      where: { id: listId.toLowerCase(), offered: true },
      data: { offered: false, offeredAction: null },
    });
    if (count === 0) throw new AppException(AppErrorCode.NotFound, 'no offered filter list with this id');
    return true;
  }

  private async ensure(source: string, format: FilterListFormat | null): Promise<FilterList> {
    try {
      return await this.lists.ensure(source, format);
    } catch (error) {
      throw toAppException(error);
    }
  }
}
