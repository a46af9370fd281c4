import { describe, expect, it } from '@jest/globals';
import { CompiledFilterList } from '../filter-lists/compiled-list.js';
import { parseTributaryList } from '../filter-lists/list-format.js';
import type { TokenHashes } from '../filter-lists/tokens.js';
import { tokenHash } from '../filter-lists/tokens.js';
import { candidate, post, repostBy, verdicts } from '../spec-helpers.js';
import type { ItemState } from './stage.js';
import { TextKeys } from './stage.js';
import type { FilterListResolver } from './filter-list.js';

const SLOP = '11111111-1111-4111-8111-111111111111';
const LOUD = '22222222-2222-4222-8222-222222222222';
const NEVER_FETCHED = '33333333-3333-4333-8333-333333333333';

const lists = new Map([
  [
    SLOP,
    new CompiledFilterList(
      { id: SLOP, title: 'AI slop' },
      parseTributaryList(
        [
          'did:plc:slopbot',
          '@farm@content.example',
          'domain spam.example',
          '#aiart',
          'word made with midjourney',
          'label ai-generated',
        ].join('\n'),
      ),
    ),
  ],
  [LOUD, new CompiledFilterList({ id: LOUD, title: 'Loud' }, parseTributaryList('word hot take\n#aiart'))],
]);
const filterLists: FilterListResolver = (id) => lists.get(id);

const stage = (withConfig: Record<string, unknown>) => ({ use: 'filter-list', with: withConfig });
const slopHides = stage({ lists: [{ id: SLOP }] });
const reason = (entry: string, title = 'AI slop', id = SLOP) =>
  `hide:filter list "${title}" (${id}): ${entry}`;

describe('filter-list', () => {
  it('hides by account, domain, tag, word and label on both networks, naming the list and the entry', async () => {
    const posts = [
      post({ author: { networkId: 'did:plc:slopbot', handle: 'slop.bsky.social' } }),
      post({
        network: 'MASTODON',
        author: { networkId: 'https://content.example/users/farm', handle: 'farm@content.example' },
      }),
      post({
        network: 'MASTODON',
        author: { networkId: 'https://spam.example/users/x', handle: 'x@spam.example' },
      }),
      post({ author: { networkId: 'did:plc:someone', handle: 'someone.spam.example' } }),
      post({ hashtags: ['AIArt'] }),
      post({ network: 'MASTODON', text: 'Made with  Midjourney, obviously' }),
      post({ labels: [{ value: 'ai-generated', source: 'did:plc:labeler', action: null }] }),
      post({ text: 'handmade, not made with midjourneys' }),
      post({
        network: 'MASTODON',
        author: { networkId: 'https://good.example/users/spam.example', handle: 'spam.example@good.example' },
      }),
    ];
    expect(await verdicts(slopHides, posts, { filterLists })).toEqual([
      reason('account did:plc:slopbot'),
      reason('account @farm@content.example'),
      reason('domain spam.example'),
      reason('domain spam.example'),
      reason('tag #aiart'),
      reason('word "made with midjourney"'),
      reason('label ai-generated'),
      'keep',
      'keep',
    ]);
  });

  it('covers a Bridgy Fed account with its origin account and instance, both ways', async () => {
    const bridged = [
      // @farm@content.example, bridged into Bluesky.
      post({ author: { networkId: 'did:plc:bridged1', handle: 'farm.content.example.ap.brid.gy' } }),
      // did:plc:slopbot, bridged into the fediverse.
      post({
        network: 'MASTODON',
        author: {
          networkId: 'https://bsky.brid.gy/ap/did:plc:slopbot',
          handle: 'slop.bsky.social@bsky.brid.gy',
        },
      }),
      // Someone on spam.example, bridged into Bluesky.
      post({ author: { networkId: 'did:plc:bridged2', handle: 'anyone.spam.example.ap.brid.gy' } }),
    ];
    expect(await verdicts(slopHides, bridged, { filterLists })).toEqual([
      reason('account @farm@content.example'),
      reason('account did:plc:slopbot'),
      reason('domain spam.example'),
    ]);
  });

  it('hides reposts by a listed account, saying so', async () => {
    const reposted = candidate(
      post({ text: 'fine' }),
      repostBy({ networkId: 'did:plc:slopbot', handle: 'slop.bsky.social' }),
    );
    expect(await verdicts(slopHides, [reposted], { filterLists })).toEqual([
      `${reason('account did:plc:slopbot')} (who reposted it)`,
    ]);
  });

  it('warns or blurs per list, hides before it warns, and blurs text-only posts as a warning', async () => {
    const posts = [post({ text: 'my hot take' }), post({ hashtags: ['aiart'] })];
    expect(
      await verdicts(stage({ lists: [{ id: LOUD, action: 'warn' }, { id: SLOP }] }), posts, { filterLists }),
    ).toEqual([`warn:filter list "Loud" (${LOUD}): word "hot take"`, reason('tag #aiart')]);
    expect(await verdicts(stage({ lists: [{ id: LOUD, action: 'blur' }] }), posts, { filterLists })).toEqual([
      `warn:filter list "Loud" (${LOUD}): word "hot take"`,
      `warn:filter list "Loud" (${LOUD}): tag #aiart`,
    ]);
  });

  it('has the post text tokenized with the key scan of the filters after it, or alone after them', () => {
    const keys = new TextKeys();
    const bit = keys.register([{ text: 'crypto' }]);
    keys.registerTokens();
    keys.seal();
    const item = (text: string) => ({ post: post({ text }), textMask: -1 }) as ItemState;
    const hashes = (tokens: TokenHashes) => [...tokens.hashes.subarray(0, tokens.count)];
    // Asked first (a list before mute-words): the keys are looked for in the same pass.
    const first = item('Hot take on CRYPTO!');
    expect(hashes(keys.tokens(first))).toEqual(['hot', 'take', 'on', 'crypto'].map(tokenHash));
    expect(first.textMask & bit).toBe(bit);
    // Asked after the keys were looked for: the text is tokenized alone, the mask kept.
    const after = item('nothing here');
    expect(keys.mask(after) & bit).toBe(0);
    expect(hashes(keys.tokens(after))).toEqual(['nothing', 'here'].map(tokenHash));
    expect(hashes(keys.tokens(first))).toEqual(['hot', 'take', 'on', 'crypto'].map(tokenHash));
  });

  it('never hides excepted authors (in any of their forms) or by excepted entries', async () => {
    const posts = [
      post({ author: { networkId: 'did:plc:slopbot', handle: 'slop.bsky.social' }, hashtags: ['aiart'] }),
      post({
        network: 'MASTODON',
        author: {
          networkId: 'https://bsky.brid.gy/ap/did:plc:slopbot',
          handle: 'slop.bsky.social@bsky.brid.gy',
        },
      }),
      post({ hashtags: ['aiart'] }),
      post({
        network: 'MASTODON',
        author: { networkId: 'https://spam.example/users/x', handle: 'x@spam.example' },
        text: 'made with midjourney',
      }),
    ];
    const withExceptions = stage({
      lists: [{ id: SLOP }],
      except: { authors: ['did:plc:slopbot'], entries: ['#aiart', 'domain spam.example'] },
    });
    expect(await verdicts(withExceptions, posts, { filterLists })).toEqual([
      'keep',
      'keep',
      'keep',
      reason('word "made with midjourney"'),
    ]);
  });

  it('treats declared identities as one person', async () => {
    const posts = [
      post({
        network: 'MASTODON',
        author: { networkId: 'https://own.example/users/s', handle: 's@own.example' },
      }),
    ];
    const declared = stage({ lists: [{ id: SLOP }], identities: [['did:plc:slopbot', '@s@own.example']] });
    expect(await verdicts(declared, posts, { filterLists })).toEqual([reason('account did:plc:slopbot')]);
  });

  it('lets everything pass while a list was never fetched', async () => {
    expect(
      await verdicts(stage({ lists: [{ id: NEVER_FETCHED }] }), [post({ hashtags: ['aiart'] })], {
        filterLists,
      }),
    ).toEqual(['keep']);
  });

  it('refuses bad list ids and exception entries, with the path', async () => {
    await expect(
      verdicts(stage({ lists: [{ id: 'nope' }], except: { entries: ['what is this'] } }), [], {
        filterLists,
      }),
    ).rejects.toThrow(
      /stages\[0\]\.with\.lists\[0\]\.id: expected a filter list id[\s\S]*stages\[0\]\.with\.except\.entries\[0\]: not a rule/,
    );
  });
});
