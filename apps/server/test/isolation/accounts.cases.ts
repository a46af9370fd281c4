// Linked accounts and their sources.
import { expect } from '@jest/globals';
import { blueskyNetwork, signInAndConsent } from '@tributary/testing';
import { codeOf } from '../../../api/src/testing/graphql-client.js';
import { accountsOf, sql } from './world.js';
import type { CaseGroup, World } from './world.js';

async function accountRow(w: World, id: string) {
  const [row] = await sql<{ userId: string; credentials: string; status: string }>(
    w,
    `SELECT "userId", credentials, status FROM "LinkedAccount" WHERE id = $1`,
    [id],
  );
  return row!;
}

export const accountCases: CaseGroup = {
  cases: {
    linkedAccounts: {
      anonymous: '{ linkedAccounts { id } }',
      crossUser: async (w) => {
        const bob = await w.gql<{ linkedAccounts: unknown[] }>('{ linkedAccounts { id } }', {}, w.bob.token);
        expect(bob.data?.linkedAccounts).toEqual([]);
        expect(await accountsOf(w, w.alice.token)).toEqual(
          [w.aliceAccountId, w.aliceBlueskyAccountId].sort(),
        );
      },
    },
    linkBlueskyAccount: {
      anonymous: 'mutation { linkBlueskyAccount(identifier: "x.test", appPassword: "x") { id } }',
      crossUser: async (w) => {
        // Bob cannot take over Alice's account without its password, and her link stays as it was.
        const before = await accountRow(w, w.aliceBlueskyAccountId);
        const res = await w.gql(
          'mutation($i: String!, $s: String) { linkBlueskyAccount(identifier: $i, appPassword: "wrong-pass-word", service: $s) { id } }',
          { i: w.aliceBluesky.handle, s: (await blueskyNetwork()).info.pdsUrl },
          w.bob.token,
        );
        expect(codeOf(res)).toBe('BAD_USER_INPUT');
        // Owner and status unchanged (the sealed credentials themselves may change meanwhile: the
        // worker refreshes Alice's session in the background).
        const after = await accountRow(w, w.aliceBlueskyAccountId);
        expect({ userId: after.userId, status: after.status }).toEqual({
          userId: before.userId,
          status: before.status,
        });
        // Sealed at rest: neither the app password nor the session tokens are readable in the row.
        expect(before.credentials).toMatch(/^v1\./);
        expect(before.credentials).not.toContain(w.aliceBluesky.appPassword);
        expect(before.credentials).not.toContain(w.aliceBluesky.did);
        expect(await accountsOf(w, w.bob.token)).toEqual([]);
      },
    },
    linkMastodonAccount: {
      anonymous: 'mutation { linkMastodonAccount(instance: "x", accessToken: "x") { id } }',
      crossUser: async (w) => {
        const res = await w.gql(
          'mutation($i: String!) { linkMastodonAccount(instance: $i, accessToken: "not-a-token") { id } }',
          { i: w.mastodon.origin },
          w.bob.token,
        );
        expect(codeOf(res)).toBe('BAD_USER_INPUT');
        expect(await accountsOf(w, w.bob.token)).toEqual([]);
      },
    },
    startMastodonLink: {
      anonymous: 'mutation { startMastodonLink(instance: "x") { authorizeUrl } }',
      crossUser: async (w) => {
        // Only the instance's app registration is shared; nothing of Alice's is in it.
        const res = await w.gql<{ startMastodonLink: { authorizeUrl: string; state: string } }>(
          'mutation($i: String!) { startMastodonLink(instance: $i) { authorizeUrl state } }',
          { i: w.mastodon.origin },
          w.bob.token,
        );
        expect(
          res.data?.startMastodonLink.authorizeUrl.startsWith(`${w.mastodon.origin}/oauth/authorize?`),
        ).toBe(true);
        expect(JSON.stringify(res)).not.toContain(w.alice.id);
      },
    },
    completeMastodonLink: {
      anonymous: 'mutation { completeMastodonLink(state: "x", code: "x") { id } }',
      crossUser: async (w) => {
        // Alice starts a link and approves it; Bob replaying her state and code gets nothing linked.
        const started = await w.gql<{ startMastodonLink: { authorizeUrl: string; state: string } }>(
          'mutation($i: String!) { startMastodonLink(instance: $i) { authorizeUrl state } }',
          { i: w.mastodon.origin },
          w.alice.token,
        );
        const { authorizeUrl, state } = started.data!.startMastodonLink;
        const { code } = w.mastodon.approve(authorizeUrl, w.mastodon.createAccount('alice-oauth'));
        const res = await w.gql(
          'mutation($s: String!, $c: String!) { completeMastodonLink(state: $s, code: $c) { id } }',
          { s: state, c: code },
          w.bob.token,
        );
        expect(codeOf(res)).toBe('BAD_USER_INPUT');
        expect(await accountsOf(w, w.bob.token)).toEqual([]);
      },
    },
    startBlueskyLink: {
      anonymous: 'mutation { startBlueskyLink(identifier: "x.test") { authorizeUrl } }',
      crossUser: async (w) => {
        // Bob may start a sign-in for any handle; it is his attempt, and nothing of Alice's changes.
        const before = await accountRow(w, w.aliceBlueskyAccountId);
        const res = await w.gql<{ startBlueskyLink: { authorizeUrl: string } }>(
          'mutation($i: String!) { startBlueskyLink(identifier: $i) { authorizeUrl } }',
          { i: w.aliceBluesky.handle },
          w.bob.token,
        );
        const pds = (await blueskyNetwork()).info.pdsUrl;
        expect(res.data?.startBlueskyLink.authorizeUrl.startsWith(`${pds}/oauth/authorize?`)).toBe(true);
        expect(JSON.stringify(res)).not.toContain(w.alice.id);
        const states = await sql<{ userId: string }>(w, `SELECT "userId" FROM "BlueskyOAuthState"`);
        expect(states.map((s) => s.userId)).toContain(w.bob.id);
        expect(await accountRow(w, w.aliceBlueskyAccountId)).toEqual(before);
        expect(await accountsOf(w, w.bob.token)).toEqual([]);
      },
    },
    completeBlueskyLink: {
      anonymous: 'mutation { completeBlueskyLink(callback: "x") { id } }',
      crossUser: async (w) => {
        // Alice signs in on her PDS and consents; Bob replaying where her browser was sent gets
        // nothing linked, and her attempt stays hers to complete.
        const started = await w.gql<{ startBlueskyLink: { authorizeUrl: string } }>(
          'mutation($i: String!) { startBlueskyLink(identifier: $i) { authorizeUrl } }',
          { i: w.aliceBluesky.handle },
          w.alice.token,
        );
        const callback = await signInAndConsent(started.data!.startBlueskyLink.authorizeUrl, w.aliceBluesky);
        const res = await w.gql(
          'mutation($c: String!) { completeBlueskyLink(callback: $c) { id } }',
          { c: callback },
          w.bob.token,
        );
        expect(codeOf(res)).toBe('BAD_USER_INPUT');
        expect(await accountsOf(w, w.bob.token)).toEqual([]);
        const state = new URL(callback).searchParams.get('state');
        expect(
          await sql(w, `SELECT 1 FROM "BlueskyOAuthState" WHERE state = $1 AND "userId" = $2`, [
            state,
            w.alice.id,
          ]),
        ).toHaveLength(1);
        expect(await sql(w, `SELECT 1 FROM "BlueskyOAuthSession"`)).toEqual([]);
      },
    },
    addSource: {
      anonymous:
        'mutation { addSource(input: { accountId: "00000000-0000-0000-0000-000000000000", kind: LIST, externalId: "x" }) { id } }',
      crossUser: async (w) => {
        const res = await w.gql(
          'mutation($a: ID!) { addSource(input: { accountId: $a, kind: HASHTAG, externalId: "cats" }) { id } }',
          { a: w.aliceBlueskyAccountId },
          w.bob.token,
        );
        expect(codeOf(res)).toBe('NOT_FOUND');
        const alice = await w.gql<{ linkedAccounts: { id: string; sources: { kind: string }[] }[] }>(
          '{ linkedAccounts { id sources { kind } } }',
          {},
          w.alice.token,
        );
        const linked = alice.data!.linkedAccounts.find((a) => a.id === w.aliceBlueskyAccountId);
        expect(linked?.sources.map((x) => x.kind)).toEqual(['HOME']);
      },
    },
    removeSource: {
      anonymous: 'mutation { removeSource(id: "00000000-0000-0000-0000-000000000000") }',
      crossUser: async (w) => {
        // A source of Alice's (inserted: no network behind it, never due for a poll), which only she can remove.
        const [row] = await sql<{ id: string }>(
          w,
          `INSERT INTO "Source" (id, "linkedAccountId", kind, "externalId", "nextPollAt")
           VALUES (gen_random_uuid(), $1, 'AUTHOR', 'did:plc:someone', now() + interval '1 day')
           RETURNING id::text`,
          [w.aliceAccountId],
        );
        const m = 'mutation($id: ID!) { removeSource(id: $id) }';
        expect(codeOf(await w.gql(m, { id: row!.id }, w.bob.token))).toBe('NOT_FOUND');
        expect(await sql(w, `SELECT 1 FROM "Source" WHERE id = $1`, [row!.id])).toHaveLength(1);
        expect((await w.gql(m, { id: row!.id }, w.alice.token)).data).toEqual({ removeSource: true });
        expect(await sql(w, `SELECT 1 FROM "Source" WHERE id = $1`, [row!.id])).toHaveLength(0);
      },
    },
    unlinkAccount: {
      anonymous: 'mutation { unlinkAccount(id: "00000000-0000-0000-0000-000000000000") }',
      crossUser: async (w) => {
        const res = await w.gql(
          'mutation($id: ID!) { unlinkAccount(id: $id) }',
          { id: w.aliceAccountId },
          w.bob.token,
        );
        expect(codeOf(res)).toBe('NOT_FOUND');
        expect(await accountsOf(w, w.alice.token)).toContain(w.aliceAccountId);
      },
    },
  },
};
