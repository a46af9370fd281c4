// The timeline-read data set, shared by the benches that read timelines (timeline-read,
// feed-skeleton): 1M posts, 1,000 users with 1,000 timeline entries each (100 of them 11,300), in
// the dedicated database `tributary_bench_timeline`, seeded with generate_series once and kept
// between runs (`reseed` rebuilds it).
import pg from 'pg';
import { applyMigrations } from '@tributary/db';
import { testPostgresUrl } from '../../libs/testing/src/postgres.js';

export const DB = 'tributary_bench_timeline';
export const SEED = {
  users: 1000,
  posts: 1_000_000,
  authors: 20_000,
  entriesPerUser: 1000,
  deepUsers: 100,
  deepEntries: 10_100,
};

export const PAGE = 50;
export const DEPTH = 10_000;
/** Entries of each deep user: DEPTH + a page visible though one in twenty is hidden. */
export const DEEP_ENTRIES = 11_300;
// Bench tokens are `bench-token-<n>`; only their SHA-256 is stored, as for real tokens.
export const token = (n: number) => `bench-token-${n}`;
export const userId = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/**
 * Timeline entries k = $3.. per user (up to $4 for the first $2 users, $5 for the others; only the
 * first $2 users when $6 = 1) and where each post was seen (SourcePost; one in ten a repost, its
 * reason on the entry as the pipeline stores it). $1 = number of posts.
 */
const ENTRIES_SQL = `WITH e AS (INSERT INTO "TimelineEntry" ("userId", "pipelineId", "postId", "rankKey", hidden, "hiddenReason", decisions, "seenIn", "pipelineVersion", reason)
       SELECT u.id, pl.id, e.post, extract(epoch FROM po."createdAt") + (e.post % 100) / 1000.0,
         e.k % 20 = 0, CASE WHEN e.k % 20 = 0 THEN 'mute-words: matched "spoiler"' END,
         jsonb_build_array(
           jsonb_build_object('stage', 'mute-words', 'index', 0, 'verdict', CASE WHEN e.k % 20 = 0 THEN 'hide' ELSE 'keep' END,
             'reason', CASE WHEN e.k % 20 = 0 THEN 'matched "spoiler"' END, 'score', 0),
           jsonb_build_object('stage', 'recency', 'index', 1, 'verdict', 'score', 'reason', null, 'score', 0.5),
           jsonb_build_object('stage', 'author-diversity', 'index', 2, 'verdict', 'keep', 'reason', null, 'score', 0)),
         jsonb_build_array(jsonb_build_object('network', 'BLUESKY', 'linkedAccountId', la.id, 'sourceId', s.id,
           'uri', po.uri)),
         1,
         CASE WHEN e.post % 10 = 0 THEN jsonb_build_object('by', jsonb_build_object('network', 'BLUESKY',
           'networkId', 'did:plc:friend', 'handle', 'friend.test', 'displayName', 'Friend', 'avatarUrl', null, 'bot', false),
           'at', '2026-11-01T00:00:00Z', 'uri', 'at://did:plc:friend/app.bsky.feed.repost/' || e.post) END
       FROM (SELECT n, id FROM (SELECT row_number() OVER (ORDER BY id) AS n, id FROM "User") x) u
       JOIN "Pipeline" pl ON pl."userId" = u.id
       JOIN "LinkedAccount" la ON la."userId" = u.id
       JOIN "Source" s ON s."linkedAccountId" = la.id
       CROSS JOIN LATERAL (
         SELECT k, ((u.n * 7919 + k * 997) % $1::int) + 1 AS post
         FROM generate_series($3::int, CASE WHEN u.n <= $2::int THEN $4::int ELSE $5::int END) k) e
       JOIN "Post" po ON po.id = e.post
       WHERE u.n <= $2::int OR $6::int = 0
       ON CONFLICT DO NOTHING RETURNING "seenIn", "postId", reason)
       INSERT INTO "SourcePost" ("sourceId", "postId", reason)
       SELECT (e."seenIn"->0->>'sourceId')::uuid, e."postId",
         e.reason
       FROM e
       ON CONFLICT DO NOTHING`;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testPostgresUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates and fills the bench database unless it already holds this seed. */
export async function seed(url: string, reseed = false): Promise<void> {
  await admin(`CREATE DATABASE "${DB}"`).catch((error: { code?: string }) => {
    if (error.code !== '42P04') throw error; // exists
  });
  await applyMigrations({ url });
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(`CREATE TABLE IF NOT EXISTS bench_seed (params jsonb NOT NULL)`);
    const { rows } = await db.query<{ params: Record<string, unknown> }>(`SELECT params FROM bench_seed`);
    // Compared key by key: jsonb does not keep the key order.
    const same = (p: Record<string, unknown>) =>
      Object.keys(p).length === Object.keys(SEED).length &&
      Object.entries(SEED).every(([key, value]) => p[key] === value);
    if (!reseed && rows.length === 1 && same(rows[0]!.params)) {
      console.log(`reusing the seeded database ${DB} (--reseed to rebuild)`);
      await topUpDeepUsers(db);
      return;
    }
    const t0 = Date.now();
    const step = async (what: string, sql: string, params: unknown[] = []) => {
      const t = Date.now();
      const res = await db.query(sql, params);
      console.log(`  ${what}: ${res.rowCount ?? 0} rows in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    };
    await db.query(`SET synchronous_commit = off`);
    await db.query(`DELETE FROM bench_seed`);
    await db.query(`TRUNCATE "User", "Author", "Post" RESTART IDENTITY CASCADE`);
    const { users, posts, authors, entriesPerUser, deepUsers, deepEntries } = SEED;
    await step(
      'users',
      `INSERT INTO "User" (id, username, "passwordHash")
       SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, 'bench-' || n, 'scrypt$1$1$1$x$x'
       FROM generate_series(1, $1::int) n`,
      [users],
    );
    await step(
      'tokens',
      `INSERT INTO "ApiToken" (id, "userId", name, "tokenHash", "lastUsedAt")
       SELECT gen_random_uuid(), id, 'bench', encode(sha256(convert_to('bench-token-' || substr(username, 7), 'UTF8')), 'hex'), now()
       FROM "User"`,
    );
    await step(
      'pipelines',
      `INSERT INTO "Pipeline" (id, "userId", name, "isDefault", spec, "updatedAt")
       SELECT gen_random_uuid(), id, 'Default', true, '{"sources":[{"kind":"all"}],"stages":[]}', now() FROM "User"`,
    );
    await step(
      'linked accounts',
      `INSERT INTO "LinkedAccount" (id, "userId", network, "networkAccountId", handle, "serviceUrl", credentials, "updatedAt")
       SELECT gen_random_uuid(), id, 'BLUESKY', 'did:plc:' || username, username || '.test', 'https://pds.test', 'v1.x', now() FROM "User"`,
    );
    await step(
      'home sources',
      `INSERT INTO "Source" (id, "linkedAccountId", kind, "externalId")
       SELECT gen_random_uuid(), id, 'HOME', '' FROM "LinkedAccount"`,
    );
    await step(
      'authors',
      `INSERT INTO "Author" (id, network, "networkId", handle)
       SELECT n, 'BLUESKY', 'did:plc:author' || n, 'author' || n || '.test' FROM generate_series(1, $1::int) n`,
      [authors],
    );
    // A realistic normalized post (~1 KB of JSON): text with a link, mention and hashtag segments,
    // an image on every fifth post, counts. Post n is n seconds older than the newest.
    await step(
      'posts',
      `INSERT INTO "Post" (id, network, uri, "nativeId", "authorId", data, raw, "createdAt")
       SELECT n, 'BLUESKY', uri, 'cid' || n, k,
         jsonb_build_object(
           'network', 'BLUESKY', 'uri', uri, 'nativeId', 'cid' || n,
           'webUrl', 'https://bsky.app/profile/author' || k || '.test/post/' || n,
           'author', jsonb_build_object('network', 'BLUESKY', 'networkId', 'did:plc:author' || k,
             'handle', 'author' || k || '.test', 'displayName', 'Author ' || k,
             'avatarUrl', 'https://cdn.test/avatar/' || k || '.jpg', 'bot', false),
           'text', text,
           'richText', jsonb_build_object('segments', jsonb_build_array(
             jsonb_build_object('type', 'text', 'text', 'Post number ' || n || ' about the things of the day, '),
             jsonb_build_object('type', 'mention', 'text', '@friend.test', 'networkId', 'did:plc:friend', 'handle', 'friend.test'),
             jsonb_build_object('type', 'text', 'text', ' read this: '),
             jsonb_build_object('type', 'link', 'text', 'example.com/' || n, 'url', 'https://example.com/' || n),
             jsonb_build_object('type', 'text', 'text', ' '),
             jsonb_build_object('type', 'hashtag', 'text', '#tributary', 'tag', 'tributary'))),
           'languages', jsonb_build_array('en'),
           'createdAt', to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'indexedAt', to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'replyParent', null, 'replyRoot', null, 'quote', null,
           'media', CASE WHEN n % 5 = 0 THEN jsonb_build_array(jsonb_build_object('type', 'image',
             'url', 'https://cdn.test/img/' || n || '.jpg', 'previewUrl', 'https://cdn.test/thumb/' || n || '.jpg',
             'altText', 'A photo of something', 'width', 1200, 'height', 800, 'focus', null, 'blurhash', null))
             ELSE '[]'::jsonb END,
           'linkCard', null,
           'counts', jsonb_build_object('replies', n % 7, 'reposts', n % 11, 'likes', n % 101, 'quotes', 0),
           'contentWarning', null, 'sensitive', false, 'labels', '[]'::jsonb, 'visibility', 'public',
           'hashtags', jsonb_build_array('tributary')),
         '{}', created
       FROM (SELECT n, 'at://did:plc:author' || (n % $2::int + 1) || '/app.bsky.feed.post/' || n AS uri,
                    'Post number ' || n || ' about the things of the day, @friend.test read this: example.com/' || n || ' #tributary' AS text,
                    now() - make_interval(secs => n) AS created, n % $2::int + 1 AS k
             FROM generate_series(1, $1::int) n) p`,
      [posts, authors],
    );
    await db.query(`SELECT setval(pg_get_serial_sequence('"Post"', 'id'), $1::bigint)`, [posts]);
    // Each user's default pipeline: entriesPerUser posts (deepUsers of them: deepEntries), a
    // different stride through the posts per user; rank key = the post's time (time-monotone);
    // one in twenty hidden; decisions and seenIn as the pipeline writes them.
    await step('timeline entries + source posts', ENTRIES_SQL, [
      posts,
      deepUsers,
      1,
      deepEntries,
      entriesPerUser,
      0,
    ]);
    await step('analyze', `ANALYZE`);
    await topUpDeepUsers(db);
    await db.query(`INSERT INTO bench_seed (params) VALUES ($1)`, [JSON.stringify(SEED)]);
    console.log(`seeded in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } finally {
    await db.end();
  }
}

/** Deep users need DEPTH + a page of visible entries (one in twenty is hidden): add the missing ones. */
async function topUpDeepUsers(db: pg.Client): Promise<void> {
  const { rows } = await db.query<{ visible: number }>(
    `SELECT count(*)::int AS visible FROM "TimelineEntry" WHERE "userId" = $1 AND NOT hidden`,
    [userId(1)],
  );
  if (rows[0]!.visible > DEPTH + PAGE) return;
  const t = Date.now();
  const res = await db.query(ENTRIES_SQL, [
    SEED.posts,
    SEED.deepUsers,
    SEED.deepEntries + 1,
    DEEP_ENTRIES,
    0,
    1,
  ]);
  await db.query(`ANALYZE "TimelineEntry"`);
  console.log(
    `  deep users topped up: ${res.rowCount ?? 0} rows in ${((Date.now() - t) / 1000).toFixed(1)} s`,
  );
}
