import type { Author, Post } from '@tributary/core';
import { Network } from '@tributary/core';
import { checkPluginConfig, compileConfigSchema } from './config.js';
import type { CheckedVerdict, PluginDefinition, PluginPost } from './plugin.js';
import { PluginContractError, checkFilterOutput, checkScoreOutput, projectPost } from './plugin.js';

/** What {@link runPlugin} returns: the checked verdicts and scores (null when the plugin has no such hook). */
export interface PluginRunResult {
  verdicts: CheckedVerdict[] | null;
  scores: number[] | null;
}

/**
 * Runs a plugin over fixture posts the way the sandbox does: posts are projected to the plugin's
 * declared `fields`, the configuration is validated against `configSchema` (defaults applied),
 * both hooks are called on the whole batch and their output is checked against the contract.
 *
 * @example
 * ```ts
 * const { verdicts } = runPlugin(noShouting, [makePost({ text: 'HELLO EVERYONE!!!' })], { ratio: 0.8 });
 * expect(verdicts).toEqual([{ action: 'hide', reason: 'shouting' }]);
 * ```
 */
export function runPlugin<Config>(
  plugin: PluginDefinition<Config>,
  posts: readonly Post[],
  config?: unknown,
  options: { now?: string } = {},
): PluginRunResult {
  const checked = checkPluginConfig(compileConfigSchema(plugin.configSchema), config);
  if (!checked.ok) throw new PluginContractError(`invalid config: ${checked.problems.join('; ')}`);
  const context = { now: options.now ?? new Date().toISOString() };
  const cfg = checked.config as Config;
  const view = posts.map((p) => projectPost(p, plugin.fields)) as PluginPost[];
  return {
    verdicts: plugin.filter ? checkFilterOutput(plugin.filter(view, cfg, context), posts.length) : null,
    scores: plugin.score ? checkScoreOutput(plugin.score(view, cfg, context), posts.length) : null,
  };
}

let fixtureSeq = 0;

/** Overrides for {@link makePost}: any post field, with `author` merged field by field. */
export type PostOverrides = Partial<Omit<Post, 'author'>> & { author?: Partial<Author> };

/**
 * A complete, valid {@link Post} for tests: a Bluesky post by `alice.test` unless overridden.
 * `richText` follows `text` when only `text` is given.
 */
export function makePost(overrides: PostOverrides = {}): Post {
  fixtureSeq += 1;
  const network = overrides.network ?? Network.Bluesky;
  const author: Author = {
    network,
    networkId: network === Network.Bluesky ? 'did:plc:alice' : 'https://example.social/users/alice',
    handle: network === Network.Bluesky ? 'alice.test' : 'alice@example.social',
    displayName: 'Alice',
    avatarUrl: null,
    bot: false,
    ...overrides.author,
  };
  const text = overrides.text ?? `post number ${fixtureSeq}`;
  const uri =
    network === Network.Bluesky
      ? `at://${author.networkId}/app.bsky.feed.post/fixture${fixtureSeq}`
      : `https://example.social/users/alice/statuses/${fixtureSeq}`;
  const createdAt = overrides.createdAt ?? '2026-11-23T12:00:00.000Z';
  const { author: _ignored, ...rest } = overrides;
  return {
    network,
    uri,
    nativeId: `native${fixtureSeq}`,
    webUrl: null,
    text,
    richText: { segments: text === '' ? [] : [{ type: 'text', text }] },
    languages: ['en'],
    createdAt,
    indexedAt: createdAt,
    replyParent: null,
    replyRoot: null,
    quote: null,
    media: [],
    linkCard: null,
    counts: { replies: 0, reposts: 0, likes: 0, quotes: 0 },
    contentWarning: null,
    sensitive: false,
    labels: [],
    visibility: 'public',
    hashtags: [],
    raw: null,
    ...rest,
    author,
  };
}
