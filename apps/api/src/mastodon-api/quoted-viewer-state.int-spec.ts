import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Post, QuotedPost } from '@tributary/core';
import type { PrismaService } from '@tributary/db';
import { createTestDatabase } from '@tributary/testing';
import type { TestDatabase } from '@tributary/testing';
import { makePost } from '@tributary/plugin-sdk';
import { TimelineReader } from '../timeline/timeline-reader.service.js';
import { ViewerStateService } from '../viewer-state/viewer-state.service.js';
import { MastodonIds } from './ids/mastodon-ids.service.js';
import { StatusPresenter } from './status-presenter.service.js';
import { MemberViewerStates, inMastodonWords } from './viewer-state.js';

type Json = Record<string, unknown>;

const ctx = { baseUrl: 'https://tributary.example' };
const QUOTED_URI = 'https://social.example/users/sam/statuses/1';

const author = {
  network: 'MASTODON' as const,
  networkId: 'https://social.example/users/sam',
  handle: 'sam@social.example',
  displayName: null,
  avatarUrl: null,
  bot: false,
};

const data = (uri: string, text: string, quote: QuotedPost | null): Omit<Post, 'raw'> => {
  const { raw: _raw, ...post } = makePost({
    network: 'MASTODON',
    uri,
    nativeId: uri.split('/').at(-1)!,
    webUrl: uri,
    author,
    text,
    quote,
  });
  return post;
};

/** The quoted post, with a poll: stored as a row of its own, and embedded in the post quoting it. */
const quotedData: Omit<Post, 'raw'> = {
  ...data(QUOTED_URI, 'tea or coffee?', null),
  poll: {
    id: '9',
    options: [
      { title: 'tea', votes: 1 },
      { title: 'coffee', votes: 1 },
    ],
    expiresAt: null,
    expired: false,
    multiple: false,
    votes: 2,
    voters: 2,
  },
};
const quoting = data('https://social.example/users/sam/statuses/2', 'this one', {
  ...quotedData,
  quote: null,
});

/** The member's own fields of the status `quoting` quotes, as a page shows it. */
const quotedViewerFields = (status: Json) => {
  const q = (status['quote'] as { quoted_status: Json }).quoted_status;
  const poll = q['poll'] as Json;
  return {
    favourited: q['favourited'],
    reblogged: q['reblogged'],
    bookmarked: q['bookmarked'],
    voted: poll['voted'],
    own_votes: poll['own_votes'],
  };
};

const ACTED = { favourited: true, reblogged: true, bookmarked: true, voted: true, own_votes: [1] };
const NOT_ACTED = { favourited: false, reblogged: false, bookmarked: false, voted: false, own_votes: [] };

describe('a quoted status on PostgreSQL', () => {
  let database: TestDatabase;
  let db: PrismaService;
  let alice: string;
  let bob: string;
  let quotingId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = { client: database.prisma, sql: database.sql } as unknown as PrismaService;
    const prisma = database.prisma;
    const member = async (username: string) => {
      const user = await prisma.user.create({ data: { username, passwordHash: 'x' } });
      await prisma.pipeline.create({ data: { userId: user.id, name: 'home', isDefault: true, spec: {} } });
      return user.id;
    };
    [alice, bob] = [await member('alice'), await member('bob')];
    const { id: authorId } = await prisma.author.create({
      data: { network: 'MASTODON', networkId: author.networkId, handle: author.handle },
    });
    const row = (post: Omit<Post, 'raw'>) =>
      prisma.post.create({
        data: {
          network: 'MASTODON',
          uri: post.uri,
          nativeId: post.nativeId,
          authorId,
          data: post as object,
          raw: {},
          createdAt: new Date(post.createdAt),
        },
      });
    const quotedRow = await row(quotedData);
    quotingId = String((await row(quoting)).id);
    // Both members have the quoting post in their home; only alice acted on the post it quotes.
    for (const pipeline of await prisma.pipeline.findMany()) {
      await prisma.timelineEntry.create({
        data: {
          userId: pipeline.userId,
          pipelineId: pipeline.id,
          postId: BigInt(quotingId),
          rankKey: 1,
          decisions: [],
          seenIn: [],
          pipelineVersion: 1,
        },
      });
    }
    const account = await prisma.linkedAccount.create({
      data: {
        userId: alice,
        network: 'MASTODON',
        networkAccountId: 'https://social.example/users/alice',
        handle: 'alice@social.example',
        serviceUrl: 'https://social.example',
        credentials: 'x',
      },
    });
    const target = { network: 'MASTODON', uri: QUOTED_URI };
    for (const [kind, payload] of [
      ['LIKE', { target }],
      ['REPOST', { target }],
      ['VOTE', { target, choices: [1] }],
    ] as const) {
      await prisma.outboundAction.create({
        data: { userId: alice, linkedAccountId: account.id, kind, payload, status: 'DONE' },
      });
    }
    await prisma.bookmark.create({
      data: { userId: alice, network: 'MASTODON', uri: QUOTED_URI, postId: quotedRow.id },
    });
  });
  afterAll(() => database?.drop());

  it('carries each member’s own state of the quoted post in a home page, never another’s through the shared cache', async () => {
    const reader = new TimelineReader(db);
    // One presenter, so one shared cache, for both members.
    const presenter = new StatusPresenter(
      new MastodonIds(db),
      new MemberViewerStates(new ViewerStateService(db)),
    );
    const home = async (userId: string) => {
      const { entries } = await reader.window(userId, null, { order: 'time', limit: 20, from: 'top' });
      const { json } = await presenter.statusesJson(
        entries.map((e) => ({ ...e, viewer: inMastodonWords(e.viewer) })),
        ctx,
      );
      return (JSON.parse(json.toString()) as Json[]).map(quotedViewerFields);
    };
    // Alice reads first (the status is cached then), bob the same version, then alice again.
    expect(await home(alice)).toEqual([ACTED]);
    expect(await home(bob)).toEqual([NOT_ACTED]);
    expect(await home(alice)).toEqual([ACTED]);
  });

  it('carries it in a single status too (GET /api/v1/statuses/:id, context, streaming)', async () => {
    const presenter = new StatusPresenter(
      new MastodonIds(db),
      new MemberViewerStates(new ViewerStateService(db)),
    );
    const status = async (userId: string) => {
      const [one] = await presenter.statuses(
        userId,
        [{ postId: quotingId, post: quoting, reason: null }],
        ctx,
      );
      return quotedViewerFields(one!);
    };
    expect(await status(alice)).toEqual(ACTED);
    expect(await status(bob)).toEqual(NOT_ACTED);
  });
});
