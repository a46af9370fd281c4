import { randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PrismaService, prepared } from '@tributary/db';
import { IdCache } from './id-cache.js';
import type { NamedId } from './id-cache.js';
import type { IdKind, IdRequest } from './id-keys.js';
import { isSnowflake, snowflake } from './snowflake.js';

const FIND_SQL = prepared(`
  SELECT m.id::text AS id, m.kind::text AS kind, m.key
  FROM unnest($1::text[], $2::text[]) AS r(kind, key)
  JOIN "MastodonId" m ON m.kind = r.kind::"MastodonIdKind" AND m.key = r.key`);
// A new id may collide with another's (same millisecond and sequence): that row is then simply not
// inserted, and the next round draws another sequence.
const INSERT_SQL = prepared(`
  INSERT INTO "MastodonId" (id, kind, key)
  SELECT r.id, r.kind::"MastodonIdKind", r.key FROM unnest($1::bigint[], $2::text[], $3::text[]) AS r(id, kind, key)
  ON CONFLICT DO NOTHING`);
const RESOLVE_SQL = prepared(`SELECT kind::text AS kind, key FROM "MastodonId" WHERE id = $1::bigint`);

/** Ids for requests, by `kind key`. */
export class IdMap {
  constructor(private readonly ids: ReadonlyMap<string, string>) {}

  get(kind: IdKind, key: string): string {
    const id = this.ids.get(`${kind} ${key}`);
    if (id === undefined) throw new Error(`no Mastodon id was requested for ${kind} ${key}`);
    return id;
  }
}

/**
 * The Mastodon API's ids (MastodonId): made on first sight, then the same forever. A page's ids
 * come from this process's cache when it has read them before (the usual case: no statement),
 * else one statement when they all exist, three when some are new.
 */
@Injectable()
export class MastodonIds {
  private readonly cache = new IdCache();

  constructor(private readonly db: PrismaService) {}

  async ids(requests: readonly IdRequest[]): Promise<IdMap> {
    const wanted = new Map<string, IdRequest>();
    const found = new Map<string, string>();
    for (const r of requests) {
      const k = `${r.kind} ${r.key}`;
      if (wanted.has(k)) continue;
      wanted.set(k, r);
      const cached = this.cache.id(k);
      if (cached !== undefined) found.set(k, cached);
    }
    for (let round = 0; wanted.size > found.size; round++) {
      // In one order for every process: two reads making ids for the same posts at once (an app
      // opening home and a list together) insert them in the same order, so neither waits on a
      // row the other holds while holding one it needs (PostgreSQL's deadlock, a 500, before).
      const missing = [...wanted]
        .filter(([k]) => !found.has(k))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, r]) => r);
      if (round > 0) {
        if (round > 8) throw new Error('could not allocate Mastodon ids');
        await this.db.sql.query(INSERT_SQL, [
          missing.map((r) => String(snowflake(r.at, randomInt(0x10000)))),
          missing.map((r) => r.kind),
          missing.map((r) => r.key),
        ]);
      }
      const rows = await this.db.sql.query<NamedId & { id: string }>(FIND_SQL, [
        missing.map((r) => r.kind),
        missing.map((r) => r.key),
      ]);
      for (const row of rows) {
        const k = `${row.kind} ${row.key}`;
        found.set(k, row.id);
        this.cache.remember(k, row.id);
      }
    }
    return new IdMap(found);
  }

  async id(request: IdRequest): Promise<string> {
    return (await this.ids([request])).get(request.kind, request.key);
  }

  /** What an id names; null for an id this instance never handed out. */
  async resolve(id: string): Promise<NamedId | null> {
    if (!isSnowflake(id)) return null;
    const cached = this.cache.named(id);
    if (cached) return cached;
    const [row] = await this.db.sql.query<NamedId>(RESOLVE_SQL, [id]);
    if (row) this.cache.remember(`${row.kind} ${row.key}`, id);
    return row ?? null;
  }
}
