import { Injectable } from '@nestjs/common';
import { PrismaService } from '@tributary/db';
import type { FilterList, FilterListFormat, Pipeline } from '@tributary/db';
import { parseRule, ruleKey, ruleName } from '@tributary/pipeline';
import { FilterListError, FilterListService } from '@tributary/timeline';
import type { FilterListPins } from '@tributary/timeline';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { isUuid } from '../common/ids.js';
import { PipelinesService } from '../pipelines/pipelines.service.js';
import type { FilterActionModel, FilterListSubscriptionModel } from './filter-list.model.js';
import { toFilterListModel } from './filter-list.model.js';

interface Except {
  authors?: string[];
  entries?: string[];
}
interface Stage {
  use?: unknown;
  with?: { lists?: { id: string; action?: string }[]; except?: Except } & Record<string, unknown>;
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

/** An author or an entry a member excepts from the lists of one filter-list stage. */
export type FilterListException = { kind: 'author'; value: string } | { kind: 'entry'; value: string };

/** What an exception is compared by: the stage's own keys (lowercased author, rule key of an entry). */
function exceptionKey(kind: FilterListException['kind'], value: string): string {
  return kind === 'author'
    ? value.trim().replace(/^@/, '').toLowerCase()
    : ruleKey(parseRule(value.replace(/^(word|contains) "(.*)"$/i, '$1 $2')));
}

/**
 * An exception as the spec keeps it: an author trimmed, an entry in the spelling a hidden post's
 * reason uses (`account @spam@host`, `word "x"`, `tag #ai`). Throws BAD_USER_INPUT for an entry
 * that is not a rule or an empty author.
 */
export function canonicalException(input: {
  author?: string | null;
  entry?: string | null;
}): FilterListException {
  const author = input.author ?? null;
  const entry = input.entry ?? null;
  if ((author === null) === (entry === null))
    throw new AppException(AppErrorCode.BadUserInput, 'give either an author or an entry');
  if (author !== null) {
    const value = author.trim();
    if (value.replace(/^@/, '') === '' || value.length > 300)
      throw new AppException(AppErrorCode.BadUserInput, 'author: expected an id, address or handle', {
        field: 'author',
      });
    return { kind: 'author', value };
  }
  try {
    if (entry!.length > 300) throw new Error('expected at most 300 characters');
    return {
      kind: 'entry',
      value: ruleName(parseRule(entry!.replace(/^(word|contains) "(.*)"$/i, '$1 $2'))),
    };
  } catch (error) {
    throw new AppException(AppErrorCode.BadUserInput, `entry: ${(error as Error).message}`, {
      field: 'entry',
    });
  }
}

/** The first filter-list stage that names `listId`, or undefined. */
function stageWith(stages: Stage[], listId: string): Stage | undefined {
  return stages.find((s) => s.use === 'filter-list' && s.with?.lists?.some((l) => l.id === listId));
}

/**
 * The spec with `exception` in the `except` of the filter-list stage that names `listId` (every
 * list of that stage then lets it pass); the same spec when it is there already. Null when no
 * stage names the list.
 */
export function withException(spec: unknown, listId: string, exception: FilterListException): Spec | null {
  const copy = structuredClone(spec) as Spec;
  const stage = stageWith(stagesOf(copy), listId);
  if (stage === undefined) return null;
  const except = (stage.with!.except ??= {});
  const field = exception.kind === 'author' ? 'authors' : 'entries';
  const values = (except[field] ??= []);
  const key = exceptionKey(exception.kind, exception.value);
  if (!values.some((v) => sameException(exception.kind, v, key))) values.push(exception.value);
  return copy;
}

/**
 * The spec without `exception` in the stage that names `listId`; null when that stage (or the
 * exception in it) is not there.
 */
export function withoutException(spec: unknown, listId: string, exception: FilterListException): Spec | null {
  const copy = structuredClone(spec) as Spec;
  const field = exception.kind === 'author' ? 'authors' : 'entries';
  const values = stageWith(stagesOf(copy), listId)?.with?.except?.[field];
  if (!Array.isArray(values)) return null;
  const key = exceptionKey(exception.kind, exception.value);
  const kept = values.filter((v) => !sameException(exception.kind, v, key));
  if (kept.length === values.length) return null;
  values.splice(0, values.length, ...kept);
  return copy;
}

/** Whether a stored exception (valid, as the spec was) is the one with this key. */
function sameException(kind: FilterListException['kind'], stored: string, key: string): boolean {
  try {
    return exceptionKey(kind, stored) === key;
  } catch {
    return false;
  }
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

  /**
   * Adds (or removes) an author or entry that the lists of the pipeline's filter-list stage naming
   * `listId` let pass: a new pipeline version, rebuilt, as any edit of the spec.
   */
  async except(
    userId: string,
    pipelineId: string,
    listId: string,
    exception: FilterListException,
    remove: boolean,
  ): Promise<Pipeline> {
    const pipeline = await this.pipelines.find(userId, pipelineId);
    if (!pipeline) throw new AppException(AppErrorCode.NotFound, 'pipeline not found');
    const id = listId.toLowerCase();
    if (stageWith(stagesOf(pipeline.spec), id) === undefined)
      throw new AppException(AppErrorCode.NotFound, 'this pipeline does not subscribe to that filter list');
    const spec = remove
      ? withoutException(pipeline.spec, id, exception)
      : withException(pipeline.spec, id, exception);
    if (spec === null)
      throw new AppException(
        AppErrorCode.NotFound,
        `no such ${exception.kind} excepted from that filter list`,
      );
    // Excepted already: no new version. (The stored spec's objects are not plain ones to
    // isDeepStrictEqual, so the update would see a change.)
    if (JSON.stringify(spec) === JSON.stringify(pipeline.spec)) return pipeline;
    return this.pipelines.update(userId, pipeline.id, null, spec);
  }

  /** The lists a pipeline (already read for its owner) subscribes to, with their status. */
  async subscriptions(pipeline: {
    id: string;
    spec: unknown;
    version: number;
  }): Promise<FilterListSubscriptionModel[]> {
    const entries: { id: string; action: string; stage: number; except: Except }[] = [];
    stagesOf(pipeline.spec).forEach((stage, index) => {
      if (stage.use !== 'filter-list' || !Array.isArray(stage.with?.lists)) return;
      const except = stage.with.except ?? {};
      for (const l of stage.with.lists)
        if (typeof l?.id === 'string')
          entries.push({ id: l.id.toLowerCase(), action: l.action ?? 'hide', stage: index, except });
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
              exceptedAuthors: e.except.authors ?? [],
              exceptedEntries: e.except.entries ?? [],
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
