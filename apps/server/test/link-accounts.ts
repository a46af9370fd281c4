// Linking accounts as a client does (through GraphQL), for the end-to-end suites.
import type { graphqlClient } from '../../api/src/testing/graphql-client.js';

type Gql = ReturnType<typeof graphqlClient>;

async function linked(res: Awaited<ReturnType<Gql>>, field: string): Promise<string> {
  if (res.errors) throw new Error(`${field} failed: ${JSON.stringify(res.errors)}`);
  return (res.data as Record<string, { id: string }>)[field]!.id;
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
  return linked(res, 'linkBlueskyAccount');
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
  return linked(res, 'linkMastodonAccount');
}
