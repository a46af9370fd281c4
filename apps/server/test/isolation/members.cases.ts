// Administration of members (administrators only) and a member's own data (export, deletion).
import { expect } from '@jest/globals';
import { codeOf } from '../../../api/src/testing/graphql-client.js';
import type { CaseGroup } from './world.js';

const UUID = '00000000-0000-0000-0000-000000000000';

export const memberCases: CaseGroup = {
  cases: {
    members: {
      anonymous: '{ members { id } }',
      crossUser: async (w) => {
        expect(codeOf(await w.gql('{ members { id username } }', {}, w.bob.token))).toBe('FORBIDDEN');
      },
    },
    instanceStats: {
      anonymous: '{ instanceStats { members } }',
      crossUser: async (w) => {
        expect(codeOf(await w.gql('{ instanceStats { members } }', {}, w.bob.token))).toBe('FORBIDDEN');
      },
    },
    memberSyncHealth: {
      anonymous: `{ memberSyncHealth(member: "${UUID}") { kind } }`,
      crossUser: async (w) => {
        const res = await w.gql(
          'query($m: ID!) { memberSyncHealth(member: $m) { handle reason } }',
          { m: w.alice.id },
          w.bob.token,
        );
        expect(codeOf(res)).toBe('FORBIDDEN');
        expect(res.data ?? null).toBeNull();
      },
    },
    suspendMember: {
      anonymous: `mutation { suspendMember(member: "${UUID}") { id } }`,
      crossUser: async (w) => {
        const res = await w.gql(
          'mutation($m: ID!) { suspendMember(member: $m) { id } }',
          { m: w.alice.id },
          w.bob.token,
        );
        expect(codeOf(res)).toBe('FORBIDDEN');
        expect((await w.gql('{ me { id } }', {}, w.alice.token)).errors).toBeUndefined();
      },
    },
    deleteMember: {
      anonymous: `mutation { deleteMember(member: "${UUID}") }`,
      crossUser: async (w) => {
        const res = await w.gql(
          'mutation($m: ID!) { deleteMember(member: $m) }',
          { m: w.alice.id },
          w.bob.token,
        );
        expect(codeOf(res)).toBe('FORBIDDEN');
        expect((await w.gql('{ me { id } }', {}, w.alice.token)).errors).toBeUndefined();
      },
    },
    exportMyData: {
      anonymous: '{ exportMyData }',
      crossUser: async (w) => {
        const res = await w.gql<{ exportMyData: { user: { username: string }; linkedAccounts: unknown[] } }>(
          '{ exportMyData }',
          {},
          w.bob.token,
        );
        expect(res.data?.exportMyData.user.username).toBe('bob');
        // Alice's accounts and handles are nowhere in Bob's export.
        expect(res.data?.exportMyData.linkedAccounts).toEqual([]);
        expect(JSON.stringify(res.data)).not.toContain(w.aliceBluesky.handle);
      },
    },
    deleteMyAccount: {
      anonymous: 'mutation { deleteMyAccount(password: "x") }',
      crossUser: async (w) => {
        // Only ever the caller's own account, and only with the caller's password: Alice's is not Bob's.
        const res = await w.gql(
          'mutation { deleteMyAccount(password: "long enough password but wrong") }',
          {},
          w.bob.token,
        );
        expect(codeOf(res)).toBe('BAD_USER_INPUT');
        expect((await w.gql('{ me { id } }', {}, w.alice.token)).errors).toBeUndefined();
        expect((await w.gql('{ me { id } }', {}, w.bob.token)).errors).toBeUndefined();
      },
    },
  },
};
