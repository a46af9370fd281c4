import type { Post } from '@tributary/core';

/**
 * A JSON Schema (draft 2020-12 subset: `type`, `properties`, `required`, `items`, `enum`,
 * `minimum`, `maximum`, `minLength`, `maxLength`, `default`, `additionalProperties`) describing a
 * plugin's `with` configuration. Plain data, so it can be stored, shown in a UI and checked without
 * running the plugin.
 */
export type JsonSchema = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What a filter says about one post. `null` (or `'keep'`) keeps it unchanged. */
export type FilterVerdict =
  | null
  | 'keep'
  | {
      /** `hide` removes it from the timeline (kept with the reason), `warn` collapses it behind the reason, `blur` blurs its media. */
      action: 'hide' | 'warn' | 'blur';
      /** Shown to the user: "why was this hidden". Keep it short: 200 characters are kept, control characters become spaces. */
      reason: string;
    };

/** Read-only facts about the current run. */
export interface PluginContext {
  /** The run's clock, ISO-8601. Use it instead of `Date.now()` so runs are reproducible. */
  now: string;
}

/**
 * A post as plugins see it: the parts of the normalized {@link Post} that plugins use, without
 * the bulky ones (`raw`, `richText`, media URLs). Trusted plugins receive the full `Post` (a
 * superset); sandboxed ones receive exactly this view, copied as JSON — and only the fields the
 * plugin declares in {@link PluginDefinition.fields}, which keeps the copy cheap.
 */
export interface PluginPost {
  uri: string;
  network: Post['network'];
  webUrl: string | null;
  author: Pick<Post['author'], 'network' | 'networkId' | 'handle' | 'displayName' | 'bot'>;
  text: string;
  languages: string[];
  createdAt: string;
  replyParent: Post['replyParent'];
  replyRoot: Post['replyRoot'];
  quote: { uri: string; text: string; author: Pick<Post['author'], 'networkId' | 'handle'> } | null;
  media: Array<Pick<Post['media'][number], 'type' | 'altText'>>;
  linkCard: Pick<NonNullable<Post['linkCard']>, 'url' | 'title'> | null;
  counts: Post['counts'];
  contentWarning: string | null;
  sensitive: boolean;
  labels: Array<Pick<Post['labels'][number], 'value' | 'source'>>;
  visibility: Post['visibility'];
  hashtags: string[];
}

export type PluginPostField = keyof PluginPost;
export const PLUGIN_POST_FIELDS: readonly PluginPostField[] = [
  'uri',
  'network',
  'webUrl',
  'author',
  'text',
  'languages',
  'createdAt',
  'replyParent',
  'replyRoot',
  'quote',
  'media',
  'linkCard',
  'counts',
  'contentWarning',
  'sensitive',
  'labels',
  'visibility',
  'hashtags',
];

/** The sandbox's copy of a post: the declared fields of {@link PluginPost}, nothing else. */
export function projectPost(
  post: Post,
  fields: readonly PluginPostField[] = PLUGIN_POST_FIELDS,
): Partial<PluginPost> {
  const out: Partial<Record<PluginPostField, unknown>> = {};
  for (const field of fields) {
    switch (field) {
      case 'author': {
        const a = post.author;
        out.author = {
          network: a.network,
          networkId: a.networkId,
          handle: a.handle,
          displayName: a.displayName,
          bot: a.bot,
        };
        break;
      }
      case 'quote':
        out.quote =
          post.quote === null
            ? null
            : {
                uri: post.quote.uri,
                text: post.quote.text,
                author: { networkId: post.quote.author.networkId, handle: post.quote.author.handle },
              };
        break;
      case 'media':
        out.media = post.media.map((m) => ({ type: m.type, altText: m.altText }));
        break;
      case 'linkCard':
        out.linkCard = post.linkCard === null ? null : { url: post.linkCard.url, title: post.linkCard.title };
        break;
      case 'labels':
        out.labels = post.labels.map((l) => ({ value: l.value, source: l.source }));
        break;
      default:
        out[field] = post[field];
    }
  }
  return out as Partial<PluginPost>;
}

/**
 * A plugin: a name, a version, a configuration schema and at least one of `filter` / `score`.
 * Both functions are synchronous and work on a whole batch (typically 100–500 posts) and must
 * return one entry per input post, in the same order.
 */
export interface PluginDefinition<Config = unknown> {
  /** Lowercase, `a-z0-9-` with an optional `scope/` prefix, e.g. `community/no-engagement-bait`. */
  name: string;
  /** Semantic version, e.g. `1.2.0`. Pipelines refer to `plugin:<name>@<version>`. */
  version: string;
  /** JSON Schema of the stage's `with` object; `{ "type": "object" }` when there is nothing to set. */
  configSchema: JsonSchema;
  /**
   * The post fields the plugin reads (default: all of {@link PluginPost}). A sandboxed plugin
   * receives only these, so declaring few (e.g. `['text', 'hashtags']`) makes it much cheaper to
   * run. {@link runPlugin} applies the same projection, so a missing field shows up in tests.
   */
  fields?: PluginPostField[];
  /** Keeps, hides, warns or blurs each post. */
  filter?: (posts: readonly PluginPost[], config: Config, context: PluginContext) => FilterVerdict[];
  /**
   * Adds a score contribution to each post, in rank-key units: `1` is worth one recency half-life
   * (a post with +1 ranks like one a half-life newer). Use small numbers, typically within ±3;
   * beyond ±100 counts as ±100, and a non-finite number is an error.
   */
  score?: (posts: readonly PluginPost[], config: Config, context: PluginContext) => number[];
}

const NAME_PATTERN = /^(?:[a-z0-9][a-z0-9-]{0,62}\/)?[a-z0-9][a-z0-9-]{0,62}$/;
const VERSION_PATTERN = /^\d{1,6}(?:\.\d{1,6}){0,2}(?:-[0-9A-Za-z.-]{1,40})?$/;

/** Thrown when a plugin definition or its output breaks the contract; `message` says what. */
export class PluginContractError extends Error {
  override readonly name = 'PluginContractError';
}

/**
 * Declares a plugin and checks its shape (name, version, schema, at least one hook).
 *
 * @example
 * ```ts
 * import { definePlugin } from '@tributary/plugin-sdk';
 *
 * export const noShouting = definePlugin<{ ratio: number }>({
 *   name: 'no-shouting',
 *   version: '1.0.0',
 *   configSchema: { type: 'object', properties: { ratio: { type: 'number', minimum: 0, maximum: 1, default: 0.8 } } },
 *   filter: (posts, config) =>
 *     posts.map((post) => {
 *       const letters = post.text.replace(/[^\p{L}]/gu, '');
 *       const upper = letters.replace(/[^\p{Lu}]/gu, '');
 *       return letters.length > 10 && upper.length / letters.length >= config.ratio
 *         ? { action: 'hide', reason: 'shouting' }
 *         : null;
 *     }),
 * });
 * ```
 */
export function definePlugin<Config = unknown>(
  definition: PluginDefinition<Config>,
): PluginDefinition<Config> {
  const problem = describeDefinitionProblem(definition);
  if (problem) throw new PluginContractError(problem);
  return definition;
}

/**
 * Why a value is not a valid plugin definition, or null when it is. Shared by {@link definePlugin}
 * and the sandbox's upload check so both accept exactly the same plugins.
 */
export function describeDefinitionProblem(definition: unknown): string | null {
  if (typeof definition !== 'object' || definition === null) return 'definePlugin expects an object';
  const d = definition as Record<string, unknown>;
  if (typeof d['name'] !== 'string' || !NAME_PATTERN.test(d['name'])) {
    return 'name: expected lowercase letters, digits and dashes, optionally "scope/name"';
  }
  if (typeof d['version'] !== 'string' || !VERSION_PATTERN.test(d['version'])) {
    return 'version: expected a version such as "1.0.0"';
  }
  const schema = d['configSchema'];
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    return 'configSchema: expected a JSON Schema object';
  }
  const fields = d['fields'];
  if (
    fields !== undefined &&
    (!Array.isArray(fields) ||
      fields.length === 0 ||
      !fields.every((f) => (PLUGIN_POST_FIELDS as readonly unknown[]).includes(f)))
  ) {
    return `fields: expected a non-empty list of ${PLUGIN_POST_FIELDS.join(', ')}`;
  }
  if (d['filter'] !== undefined && typeof d['filter'] !== 'function') return 'filter: expected a function';
  if (d['score'] !== undefined && typeof d['score'] !== 'function') return 'score: expected a function';
  if (d['filter'] === undefined && d['score'] === undefined)
    return 'a plugin needs a filter or a score function';
  return null;
}

/** A filter verdict after checking: `null` keeps the post. */
export type CheckedVerdict = null | { action: 'hide' | 'warn' | 'blur'; reason: string };

/**
 * Checks a filter's return value against the contract: an array with one verdict per post.
 * Throws {@link PluginContractError} naming the first bad entry.
 */
export function checkFilterOutput(output: unknown, count: number): CheckedVerdict[] {
  if (!Array.isArray(output)) throw new PluginContractError('filter must return an array');
  if (output.length !== count) {
    throw new PluginContractError(`filter returned ${output.length} verdicts for ${count} posts`);
  }
  const verdicts: CheckedVerdict[] = new Array<CheckedVerdict>(count);
  for (let i = 0; i < count; i++) {
    const v: unknown = output[i];
    if (v === null || v === undefined || v === 'keep') {
      verdicts[i] = null;
      continue;
    }
    if (typeof v === 'object') {
      const { action, reason } = v as { action?: unknown; reason?: unknown };
      if ((action === 'hide' || action === 'warn' || action === 'blur') && typeof reason === 'string') {
        // Cut to length and cleaned of control characters by the engine (libs/pipeline plugin-output.ts).
        verdicts[i] = { action, reason };
        continue;
      }
    }
    throw new PluginContractError(`filter verdict [${i}]: expected null, "keep" or { action, reason }`);
  }
  return verdicts;
}

/** Checks a score function's return value: one finite number per post. */
export function checkScoreOutput(output: unknown, count: number): number[] {
  if (!Array.isArray(output)) throw new PluginContractError('score must return an array');
  if (output.length !== count) {
    throw new PluginContractError(`score returned ${output.length} numbers for ${count} posts`);
  }
  for (let i = 0; i < count; i++) {
    const v: unknown = output[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new PluginContractError(`score [${i}]: expected a finite number`);
    }
  }
  return output as number[];
}
