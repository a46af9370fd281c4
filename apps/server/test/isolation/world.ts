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
