// Sign-up, log-in, tokens and invites.
import { expect } from '@jest/globals';
import { codeOf } from '../../../api/src/testing/graphql-client.js';
import type { CaseGroup } from './world.js';

export const authCases: CaseGroup = {
  cases: {
    signUp: {
      public: true,
      anonymous: 'mutation { signUp(invite: "x", username: "x", password: "x") { token } }',
    },
    login: { public: true, anonymous: 'mutation { login(username: "x", password: "x") { token } }' },
    me: {
      anonymous: '{ me { id } }',
      crossUser: async (w) => {
        const res = await w.gql<{ me: { id: string } }>('{ me { id } }', {}, w.bob.token);
        expect(res.data?.me.id).toBe(w.bob.id);
      },
    },
    tokens: {
      anonymous: '{ tokens { id } }',
      crossUser: async (w) => {
        const res = await w.gql<{ tokens: { id: string }[] }>('{ tokens { id } }', {}, w.bob.token);
        expect(res.data?.tokens.map((t) => t.id)).toEqual([w.bob.tokenId]);
      },
    },
    revokeToken: {
      anonymous: 'mutation { revokeToken(id: "00000000-0000-0000-0000-000000000000") { id } }',
      crossUser: async (w) => {
        const res = await w.gql(
          'mutation($id: ID!) { revokeToken(id: $id) { id } }',
          { id: w.alice.tokenId },
          w.bob.token,
        );
        expect(codeOf(res)).toBe('NOT_FOUND');
        expect((await w.gql('{ me { id } }', {}, w.alice.token)).errors).toBeUndefined();
      },
    },
    createInvite: {
      anonymous: 'mutation { createInvite { code } }',
      crossUser: async (w) => {
        expect(codeOf(await w.gql('mutation { createInvite { code } }', {}, w.bob.token))).toBe('FORBIDDEN');
      },
    },
    invites: {
      anonymous: '{ invites { id } }',
      crossUser: async (w) => {
        expect(codeOf(await w.gql('{ invites { id } }', {}, w.bob.token))).toBe('FORBIDDEN');
      },
    },
  },
};
