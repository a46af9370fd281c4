// Linking accounts, adding and removing their sources, as a client does (through GraphQL), for the
// end-to-end suites.
import type { graphqlClient } from '../../api/src/testing/graphql-client.js';

type Gql = ReturnType<typeof graphqlClient>;

/** The answer's `field`, or an error when the request was refused. */
function fieldOf(res: Awaited<ReturnType<Gql>>, field: string): unknown {
  if (res.errors) throw new Error(`${field} failed: ${JSON.stringify(res.errors)}`);
  return (res.data as Record<string, unknown>)[field];
}

function idOf(res: Awaited<ReturnType<Gql>>, field: string): string {
  return (fieldOf(res, field) as { id: string }).id;
}

/** Links a Bluesky account with its app password; returns the linked account's id. */
export async function linkBluesky(
  gql: Gql,
  token: string,
  account: { handle: string; appPassword: string },
  service: string,
): Promise<string> {
  const res = await gql(
    'mutation($i: String!, $p: String!, $s: String) { linkBlueskyAccount(identifier: $i, appPassword: $p, service: $s) { id } }',
    { i: account.handle, p: account.appPassword, s: service },
    token,
  );
  return idOf(res, 'linkBlueskyAccount');
}

/** Links a Mastodon account with an access token; returns the linked account's id. */
export async function linkMastodon(
  gql: Gql,
  token: string,
  instance: string,
  accessToken: string,
): Promise<string> {
  const res = await gql(
    'mutation($i: String!, $t: String!) { linkMastodonAccount(instance: $i, accessToken: $t) { id } }',
    { i: instance, t: accessToken },
    token,
  );
  return idOf(res, 'linkMastodonAccount');
}

/** Adds a source (`LIST`, `HASHTAG`, …) to a linked account; returns the source's id. */
export async function addSource(
  gql: Gql,
  token: string,
  accountId: string,
  kind: string,
  externalId: string,
): Promise<string> {
  const res = await gql(
    'mutation($a: ID!, $k: SourceKind!, $e: String!) { addSource(input: { accountId: $a, kind: $k, externalId: $e }) { id } }',
    { a: accountId, k: kind, e: externalId },
    token,
  );
  return idOf(res, 'addSource');
}

/** Removes a source (the statuses it alone brought leave the timeline). */
export async function removeSource(gql: Gql, token: string, sourceId: string): Promise<void> {
  const res = await gql('mutation($id: ID!) { removeSource(id: $id) }', { id: sourceId }, token);
  fieldOf(res, 'removeSource');
}
