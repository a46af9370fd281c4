import { describe, expect, it } from '@jest/globals';
import type { PrismaService } from '@tributary/db';
import { IdCache } from './id-cache.js';
import type { IdRequest } from './id-keys.js';
import { MastodonIds } from './mastodon-ids.service.js';

/** MastodonId in memory, answering the service's three statements; counts them. */
function fakeDb() {
  const rows = new Map<string, { id: string; kind: string; key: string }>();
  const statements: string[] = [];
  const sql = {
    query: async (text: string, params: unknown[]) => {
      if (text.includes('INSERT INTO "MastodonId"')) {
        statements.push('insert');
        const [ids, kinds, keys] = params as string[][];
        ids!.forEach((id, i) => {
          const k = `${kinds![i]} ${keys![i]}`;
          if (!rows.has(k)) rows.set(k, { id, kind: kinds![i]!, key: keys![i]! });
        });
        return [];
      }
      if (text.includes('unnest($1::text[], $2::text[])')) {
        statements.push('find');
        const [kinds, keys] = params as string[][];
        return kinds!.flatMap((kind, i) => {
          const row = rows.get(`${kind} ${keys![i]}`);
          return row ? [row] : [];
        });
      }
      statements.push('resolve');
      const row = [...rows.values()].find((r) => r.id === params[0]);
      return row ? [{ kind: row.kind, key: row.key }] : [];
    },
  };
  return { db: { sql } as unknown as PrismaService, statements, rows };
}

const post = (n: number): IdRequest => ({
  kind: 'POST',
  key: `BLUESKY at://did:plc:a/app.bsky.feed.post/${n}`,
  at: n,
});

describe('MastodonIds', () => {
  it('reads ids it has read before without a statement, both ways', async () => {
    const { db, statements } = fakeDb();
    const ids = new MastodonIds(db);
    const first = await ids.ids([post(1), post(2), post(1)]);
    expect(statements).toEqual(['find', 'insert', 'find']);
    const id1 = first.get('POST', post(1).key);

    statements.length = 0;
    const again = await ids.ids([post(2), post(1)]);
    expect(again.get('POST', post(1).key)).toBe(id1);
    expect(await ids.resolve(id1)).toEqual({ kind: 'POST', key: post(1).key });
    expect(statements).toEqual([]);

    // Only what is new is looked up.
    await ids.ids([post(1), post(3)]);
    expect(statements).toEqual(['find', 'insert', 'find']);
  });

  it('names an id another process made by asking once', async () => {
    const { db, statements, rows } = fakeDb();
    rows.set(`LIST p1`, { id: '1000000000000000001', kind: 'LIST', key: 'p1' });
    const ids = new MastodonIds(db);
    expect(await ids.resolve('1000000000000000001')).toEqual({ kind: 'LIST', key: 'p1' });
    expect(await ids.resolve('1000000000000000001')).toEqual({ kind: 'LIST', key: 'p1' });
    expect(await ids.resolve('1000000000000000002')).toBeNull();
    expect(await ids.resolve('1000000000000000002')).toBeNull();
    // An id nobody made is asked about each time: it may be made meanwhile.
    expect(statements).toEqual(['resolve', 'resolve', 'resolve']);
    expect((await ids.ids([{ kind: 'LIST', key: 'p1', at: 0 }])).get('LIST', 'p1')).toBe(
      '1000000000000000001',
    );
    expect(statements).toHaveLength(3);
  });
});

describe('IdCache', () => {
  it('keeps two generations, and what is read again', () => {
    const cache = new IdCache(2);
    cache.remember('POST a', '1');
    cache.remember('POST b', '2');
    cache.remember('POST c', '3'); // a, b: the previous generation
    expect(cache.id('POST a')).toBe('1'); // carried into the current one (with c)
    cache.remember('POST d', '4'); // c, a: previous; b dropped
    expect(cache.id('POST b')).toBeUndefined();
    expect(cache.named('2')).toBeUndefined();
    expect(cache.id('POST a')).toBe('1');
    expect(cache.named('3')).toEqual({ kind: 'POST', key: 'c' });
    expect(cache.id('POST d')).toBe('4');
    // A key with spaces (a boost's) is named whole.
    cache.remember('REBLOG BLUESKY at://x/y at://x/z', '5');
    expect(cache.named('5')).toEqual({ kind: 'REBLOG', key: 'BLUESKY at://x/y at://x/z' });
  });
});
