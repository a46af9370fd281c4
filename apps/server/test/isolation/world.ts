// The shared world of the isolation suite: two members, Alice (with linked accounts) and Bob, on
// one running instance. Each feature's cases live in their own file next to this one.
import pg from 'pg';
import type { FakeMastodonServer, TestBlueskyAccount } from '@tributary/testing';
import type { graphqlClient } from '../../../api/src/testing/graphql-client.js';
import type { TestInstance } from '../test-instance.js';

export interface TestUser {
  token: string;
  tokenId: string;
  id: string;
}

export interface World {
  instance: TestInstance;
  gql: ReturnType<typeof graphqlClient>;
  alice: TestUser; // member
  bob: TestUser; // member
  /** A Bluesky account row inserted directly (no network behind it). */
  aliceAccountId: string;
  aliceBluesky: TestBlueskyAccount;
  /** Alice's real link to the reference Bluesky network. */
  aliceBlueskyAccountId: string;
  /**
   * Whose word her Bluesky posts are: the reference PDS, linked to directly and not the operator's
   * default service (README "Security"), so its origin.
   */
  aliceBlueskyDomain: string;
  mastodon: FakeMastodonServer;
}

/**
 * One root field's case. `anonymous` is an operation sent without a token (or, for operations that
 * do not go over HTTP POST, a function returning the error code an anonymous caller got);
 * `crossUser` checks that Bob never reads or changes Alice's data through it.
 */
export interface IsolationCase {
  public?: true;
  anonymous: string | ((w: World) => Promise<string | null>);
  crossUser?: (w: World) => Promise<void>;
}

/** The cases of one feature, with what they need set up first (run once, in file order). */
export interface CaseGroup {
  prepare?: (w: World) => Promise<void>;
  cases: Record<string, IsolationCase>;
}

/** Runs one SQL statement against the instance's database. */
export async function sql<T>(w: World, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: w.instance.databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export async function accountsOf(w: World, token: string): Promise<string[]> {
  const res = await w.gql<{ linkedAccounts: { id: string }[] }>('{ linkedAccounts { id } }', {}, token);
  return res.data!.linkedAccounts.map((a) => a.id).sort();
}

/**
 * A Bluesky post stored as ingest of Alice's account would store it (complete normalized `data`, her
 * account's trust domain); returns its id.
 */
export async function insertPost(
  w: World,
  post: {
    uri: string;
    nativeId: string;
    authorDid: string;
    authorHandle: string;
    text: string;
    replies?: number;
  },
): Promise<string> {
  const now = new Date().toISOString();
  const data = {
    network: 'BLUESKY',
    uri: post.uri,
    nativeId: post.nativeId,
    webUrl: null,
    author: {
      network: 'BLUESKY',
      networkId: post.authorDid,
      handle: post.authorHandle,
      displayName: null,
      avatarUrl: null,
      bot: false,
    },
    text: post.text,
    richText: { segments: [{ type: 'text', text: post.text }] },
    languages: [],
    createdAt: now,
    indexedAt: now,
    replyParent: null,
    replyRoot: null,
    quote: null,
    media: [],
    linkCard: null,
    counts: { replies: post.replies ?? 0, reposts: 0, likes: 0, quotes: 0 },
    contentWarning: null,
    sensitive: false,
    labels: [],
    visibility: 'public',
    hashtags: [],
  };
  // An upsert: the worker may have ingested it already (Alice's own posts reach her home timeline).
  const [row] = await sql<{ id: string }>(
    w,
    `WITH a AS (INSERT INTO "Author" (network, "networkId", "trustDomain", handle) VALUES ('BLUESKY', $1, $6, $2)
                ON CONFLICT (network, "networkId", "trustDomain") DO UPDATE SET handle = EXCLUDED.handle RETURNING id)
     INSERT INTO "Post" (network, uri, "trustDomain", "nativeId", "authorId", data, raw, "createdAt")
     SELECT 'BLUESKY', $3, $6, $4, a.id, $5, '{}', now() FROM a
     ON CONFLICT (network, uri, "trustDomain") DO UPDATE SET data = EXCLUDED.data RETURNING id::text`,
    [post.authorDid, post.authorHandle, post.uri, post.nativeId, JSON.stringify(data), w.aliceBlueskyDomain],
  );
  return row!.id;
}

/** Makes a post reach Alice: seen in her Bluesky home source. */
export async function showToAlice(w: World, postId: string): Promise<void> {
  await sql(
    w,
    `INSERT INTO "SourcePost" ("sourceId", "postId")
     SELECT id, $2 FROM "Source" WHERE "linkedAccountId" = $1 AND kind = 'HOME'
     ON CONFLICT DO NOTHING`,
    [w.aliceBlueskyAccountId, postId],
  );
}
