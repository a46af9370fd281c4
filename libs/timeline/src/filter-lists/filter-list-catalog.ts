import { Injectable } from '@nestjs/common';
import { PrismaService } from '@tributary/db';
import { CompiledFilterList, parseTributaryList } from '@tributary/pipeline';
import type { FilterListResolver } from '@tributary/pipeline';
import { LRUCache } from 'lru-cache';
import type { FilterListPins } from './filter-list-specs.js';

/**
 * Compiled filter-list versions for the pipelines of this process: each stored version is parsed
 * and compiled once (a list of 100,000 entries takes a few hundred ms and tens of MB) and shared by
 * every pipeline pinned to it.
 */
@Injectable()
export class FilterListCatalog {
  private readonly compiled = new LRUCache<string, CompiledFilterList>({ max: 16 });

  constructor(private readonly db: PrismaService) {}

  /** The lists of these pins, compiled; a pin whose version is gone (pruned) resolves to nothing. */
  async resolverFor(pins: FilterListPins): Promise<FilterListResolver> {
    const lists = new Map<string, CompiledFilterList>();
    const missing: { listId: string; version: number }[] = [];
    for (const [listId, version] of Object.entries(pins)) {
      if (version < 1) continue;
      const cached = this.compiled.get(`${listId}@${version}`);
      if (cached) lists.set(listId, cached);
      else missing.push({ listId, version });
    }
    if (missing.length > 0) {
      const rows = await this.db.client.filterListVersion.findMany({
        where: { OR: missing },
        select: { listId: true, version: true, rules: true, list: { select: { title: true, source: true } } },
      });
      for (const row of rows) {
        const title = row.list.title ?? row.list.source;
        const list = new CompiledFilterList({ id: row.listId, title }, parseTributaryList(row.rules));
        this.compiled.set(`${row.listId}@${row.version}`, list);
        lists.set(row.listId, list);
      }
    }
    return (id) => lists.get(id);
  }
}
