// Filter lists: Bob never subscribes or unsubscribes Alice's pipelines, never sees which lists she
// subscribes to, and, as a member, never offers or withdraws an instance-wide list.
import { expect } from '@jest/globals';
import { PrismaService } from '@tributary/db';
import { codeOf } from '../../../api/src/testing/graphql-client.js';
import type { CaseGroup, World } from './world.js';

const NOBODY = '00000000-0000-0000-0000-000000000000';
let aliceListId = '';
let alicePipelineId = '';
/** Her subscription as prepared, which nothing Bob does changes. */
const ALICE_UNCHANGED = () => ({ version: 1, lists: [aliceListId], excepted: ['did:plc:kept'] });

async function aliceSubscription(
  w: World,
): Promise<{ version: number; lists: string[]; excepted: string[] }> {
  const res = await w.gql<{
    pipeline: { version: number; filterLists: { list: { id: string }; exceptedAuthors: string[] }[] };
  }>(
    'query($id: ID!) { pipeline(id: $id) { version filterLists { list { id } exceptedAuthors } } }',
    { id: alicePipelineId },
    w.alice.token,
  );
  expect(res.errors).toBeUndefined();
  const subscriptions = res.data!.pipeline.filterLists;
  return {
    version: res.data!.pipeline.version,
    lists: subscriptions.map((s) => s.list.id),
    excepted: subscriptions.flatMap((s) => s.exceptedAuthors),
  };
}

async function offered(w: World, token: string): Promise<string[]> {
  const res = await w.gql<{ offeredFilterLists: { id: string }[] }>(
    '{ offeredFilterLists { id } }',
    {},
    token,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.offeredFilterLists.map((l) => l.id);
}

export const filterListCases: CaseGroup = {
  prepare: async (w) => {
    // A list as the worker stores it, and Alice's pipeline subscribed to it (as subscribeFilterList
    // leaves it, tested in filter-lists.int-spec.ts; the isolation world serves no lists).
    const prisma = w.instance.running.apps[0]!.get(PrismaService, { strict: false }).client;
    const list = await prisma.filterList.create({
      data: {
        source: 'https://lists.example/alice-private.txt',
        format: 'TRIBUTARY',
        title: "Alice's",
        version: 1,
        entries: 1,
        nextCheckAt: new Date(Date.now() + 3600_000),
        versions: { create: { version: 1, rules: '#cats\n', entries: 1, sha256: 'x' } },
      },
    });
    aliceListId = list.id;
    const spec = {
      name: 'Listed',
      stages: [
        {
          use: 'filter-list',
          // An exception of hers that removeFilterListException must not take away for Bob.
          with: { lists: [{ id: list.id, action: 'hide' }], except: { authors: ['did:plc:kept'] } },
        },
      ],
    };
    alicePipelineId = (
      await prisma.pipeline.create({
        data: {
          userId: w.alice.id,
          name: 'Listed',
          spec,
          versions: { create: { version: 1, spec, filterLists: { [list.id]: 1 } } },
        },
      })
    ).id;
  },
  cases: {
    subscribeFilterList: {
      anonymous: `mutation { subscribeFilterList(pipeline: "${NOBODY}", source: "https://lists.example/x.txt") { id } }`,
      crossUser: async (w) => {
        const res = await w.gql(
          'mutation($p: ID!, $s: String!) { subscribeFilterList(pipeline: $p, source: $s) { id } }',
          { p: alicePipelineId, s: 'https://lists.example/bob.txt' },
          w.bob.token,
        );
        // Her pipeline is not found before anything is fetched.
        expect(codeOf(res)).toBe('NOT_FOUND');
        expect(await aliceSubscription(w)).toEqual(ALICE_UNCHANGED());
      },
    },
    unsubscribeFilterList: {
      anonymous: `mutation { unsubscribeFilterList(pipeline: "${NOBODY}", list: "${NOBODY}") { id } }`,
      crossUser: async (w) => {
        const res = await w.gql(
          'mutation($p: ID!, $l: ID!) { unsubscribeFilterList(pipeline: $p, list: $l) { id } }',
          { p: alicePipelineId, l: aliceListId },
          w.bob.token,
        );
        expect(codeOf(res)).toBe('NOT_FOUND');
        expect(await aliceSubscription(w)).toEqual(ALICE_UNCHANGED());
        // His own pipelines show none of her lists.
        const his = await w.gql<{ pipelines: { filterLists: unknown[] }[] }>(
          '{ pipelines { filterLists { list { id } } } }',
          {},
          w.bob.token,
        );
        expect(his.data!.pipelines.flatMap((p) => p.filterLists)).toEqual([]);
      },
    },
    addFilterListException: {
      anonymous: `mutation { addFilterListException(pipeline: "${NOBODY}", list: "${NOBODY}", entry: "#cats") { id } }`,
      crossUser: async (w) => {
        const res = await w.gql(
          'mutation($p: ID!, $l: ID!) { addFilterListException(pipeline: $p, list: $l, entry: "#cats") { id } }',
          { p: alicePipelineId, l: aliceListId },
          w.bob.token,
        );
        expect(codeOf(res)).toBe('NOT_FOUND');
        expect(await aliceSubscription(w)).toEqual(ALICE_UNCHANGED());
      },
    },
    removeFilterListException: {
      anonymous: `mutation { removeFilterListException(pipeline: "${NOBODY}", list: "${NOBODY}", author: "x") { id } }`,
      crossUser: async (w) => {
        const res = await w.gql(
          'mutation($p: ID!, $l: ID!) { removeFilterListException(pipeline: $p, list: $l, author: "did:plc:kept") { id } }',
          { p: alicePipelineId, l: aliceListId },
          w.bob.token,
        );
        expect(codeOf(res)).toBe('NOT_FOUND');
        expect(await aliceSubscription(w)).toEqual(ALICE_UNCHANGED());
      },
    },
    offeredFilterLists: {
      anonymous: '{ offeredFilterLists { id } }',
      crossUser: async (w) => {
        // Only what the admin offers; a list a member subscribes to is not shown to others.
        expect(await offered(w, w.bob.token)).not.toContain(aliceListId);
        expect(await offered(w, w.alice.token)).not.toContain(aliceListId);
      },
    },
    offerFilterList: {
      anonymous: 'mutation { offerFilterList(source: "https://lists.example/x.txt") { id } }',
      crossUser: async (w) => {
        const res = await w.gql(
          'mutation($s: String!) { offerFilterList(source: $s) { id } }',
          { s: 'https://lists.example/alice-private.txt' },
          w.bob.token,
        );
        expect(codeOf(res)).toBe('FORBIDDEN');
        expect(await offered(w, w.bob.token)).toEqual([]);
      },
    },
    withdrawFilterList: {
      anonymous: `mutation { withdrawFilterList(list: "${NOBODY}") }`,
      crossUser: async (w) => {
        const res = await w.gql(
          'mutation($l: ID!) { withdrawFilterList(list: $l) }',
          { l: aliceListId },
          w.bob.token,
        );
        expect(codeOf(res)).toBe('FORBIDDEN');
        expect(await aliceSubscription(w)).toEqual(ALICE_UNCHANGED());
      },
    },
  },
};
