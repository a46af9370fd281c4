import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PrismaService } from '@tributary/db';
import { createTestDatabase } from '@tributary/testing';
import type { TestDatabase } from '@tributary/testing';
import type { IdRequest } from './id-keys.js';
import { MastodonIds } from './mastodon-ids.service.js';

const post = (round: number, n: number): IdRequest => ({
  kind: 'POST',
  key: `BLUESKY at://did:plc:r${round}/app.bsky.feed.post/${String(n).padStart(4, '0')}`,
  at: 1_700_000_000_000 + n,
});

describe('MastodonIds on PostgreSQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());

  it('makes the same posts’ ids in several processes at once, whatever order each asks in', async () => {
    // API processes (a cache each) reading overlapping pages for the first time, e.g. an app
    // opening home and a list together: each asks for the posts in its own order.
    const db = { sql: database.sql } as unknown as PrismaService;
    const ROUNDS = 10;
    for (let round = 0; round < ROUNDS; round++) {
      const posts = Array.from({ length: 1000 }, (_, n) => post(round, n));
      // Each process's own order: forward, backward and two interleavings.
      const orders = [
        posts,
        [...posts].reverse(),
        posts.filter((_, n) => n % 2 === 0).concat(posts.filter((_, n) => n % 2 === 1).reverse()),
        posts.filter((_, n) => n % 2 === 1).concat(posts.filter((_, n) => n % 2 === 0).reverse()),
      ];
      const maps = await Promise.all(orders.map((order) => new MastodonIds(db).ids(order)));
      for (const p of posts) {
        const id = maps[0]!.get(p.kind, p.key);
        for (const map of maps) expect(map.get(p.kind, p.key)).toBe(id);
      }
    }
    const [row] = await database.sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM "MastodonId"`);
    expect(row?.n).toBe(String(ROUNDS * 1000));
  });
});
