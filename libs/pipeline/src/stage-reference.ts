import { z } from 'zod';
import type { BuiltinStageName, PipelineSpecInput } from './spec.js';
import { builtinStageConfigs } from './spec.js';

// The stage reference of docs/pipelines.md: the words here, the option tables from the zod
// schemas (types, defaults, required), so the document follows the code (stage-reference.spec.ts
// fails when it does not; `tools/scripts/pipeline-docs.ts` writes it again).

interface StageDoc {
  /** What the stage does, in a sentence or two (Markdown). */
  summary: string;
  /** One line per option of the stage's `with`: every option must have one. */
  options: Record<string, string>;
  /** A stage entry as a user writes it. */
  example: PipelineSpecInput['stages'][number];
}

const AUTHORS =
  'DIDs (`did:plc:…`), Mastodon account URIs or handles (`@alice@example.social`, `bob.bsky.social`)';

/** Every built-in stage, documented: a stage added to the registry without an entry does not compile. */
export const STAGE_DOCS: Record<BuiltinStageName, StageDoc> = {
  'mute-words': {
    summary:
      'Hides (or warns about) posts containing muted words: Unicode-aware whole words ("and" does not match "sand"), case-insensitive, CJK and Thai words as substrings, emoji with or without U+FE0F. A term may be a regular expression (JavaScript syntax, run in linear time; no lookarounds or backreferences).',
    options: {
      words:
        'The terms: a word, or `{ word | regex, wholeWord?, expiresAt? }` (at most 2,000; a word at most 200 characters, a regex 500).',
      wholeWord: 'Match words only as whole words; per-term `wholeWord` overrides it.',
      fields:
        'Where to look: `text`, `contentWarning`, `altText`, `linkTitle`, `hashtags`, `quote` (all when omitted).',
      networks: 'Only posts of these networks (`bluesky`, `mastodon`); all when omitted.',
      expiresAt: 'ISO-8601 date-time after which the whole stage stops muting.',
      action: '`hide` the post or `warn` (shown collapsed behind the reason).',
    },
    example: {
      use: 'mute-words',
      with: {
        words: ['crypto', { word: 'election', expiresAt: '2026-12-01T00:00:00Z' }, { regex: 'nft\\d+' }],
      },
    },
  },
  'mute-authors': {
    summary:
      'Hides the posts of these authors, and their reposts of anyone’s posts (a repost of a post the member also got by itself hides only the repost).',
    options: { authors: `The authors: ${AUTHORS}.` },
    example: { use: 'mute-authors', with: { authors: ['did:plc:abc123', '@troll@example.social'] } },
  },
  'filter-list': {
    summary:
      'The filter lists the pipeline subscribes to (`subscribeFilterList` adds them here): lists others maintain of accounts, domains, hashtags, words and labels, applied to both networks and kept current by the instance. Each hidden, warned or blurred post names the list and the entry (`filter list "AI slop" (<id>): account @bot@spam.example`). A Bridgy Fed account is covered by its origin account’s entries.',
    options: {
      lists:
        'The lists: `{ id, action }`, `action` one of `hide`, `warn`, `blur` (`blur` on a post without media becomes `warn`).',
      except:
        '`authors` never hidden by a list (DIDs, addresses, handles, actor URIs); `entries` that never match, written as in a list (`domain spam.example`, `#aiart`, `word "hot take"`).',
      identities: 'Groups of accounts known to be one person: an entry naming one covers all.',
    },
    example: {
      use: 'filter-list',
      with: {
        lists: [{ id: '8c1e0a2e-5b7d-4e0f-9a51-3f2d6c7b9e10', action: 'hide' }],
        except: { authors: ['@friend@example.social'], entries: ['#aiart'] },
      },
    },
  },
  language: {
    summary:
      'Keeps posts by language, compared by primary subtag (`en-GB` is `en`). With `allow`, a post passes if any of its languages is allowed; with `deny`, it is hidden only if every language is denied.',
    options: {
      allow: 'Language codes to keep (`en`, `de`, `pt-BR`).',
      deny: 'Language codes to hide.',
      keepUnknown: 'Keep posts that declare no language.',
    },
    example: { use: 'language', with: { allow: ['en', 'de'] } },
  },
  network: {
    summary: 'Keeps only posts from these networks.',
    options: { allow: '`bluesky`, `mastodon` (at least one).' },
    example: { use: 'network', with: { allow: ['mastodon'] } },
  },
  'hide-reposts': {
    summary:
      'Hides reposts and boosts. A post the member also got by itself (they follow its author) stays, shown as its author posted it: only the repost goes.',
    options: { except: `Reposts by these accounts stay: ${AUTHORS}.` },
    example: { use: 'hide-reposts', with: { except: ['did:plc:curator'] } },
  },
  'hide-replies': {
    summary: 'Hides replies to other people.',
    options: {
      except: `Replies by these accounts stay: ${AUTHORS}.`,
      keepSelfThreads: 'Keep an author’s replies to themselves (threads).',
    },
    example: { use: 'hide-replies', with: { keepSelfThreads: true } },
  },
  'content-warning': {
    summary:
      'Acts on posts with a content warning (spoiler text), and on posts marked sensitive. `blur` on a post without media becomes `warn`.',
    options: {
      action: '`hide`, `warn` (collapsed behind the warning) or `blur` (media blurred).',
      includeSensitive: 'Also act on posts marked sensitive without a warning text (Mastodon `sensitive`).',
    },
    example: { use: 'content-warning', with: { action: 'blur' } },
  },
  labels: {
    summary:
      'Acts on moderation labels (Bluesky labelers, Mastodon filters). The strictest action of a post’s labels wins.',
    options: {
      rules: 'A list of `{ label, action }`, `action` one of `hide`, `warn`, `blur`.',
      honorNetworkActions:
        'Apply the action a network or labeler attached to a label that no rule names (`hide`, `warn`, `blur`).',
    },
    example: {
      use: 'labels',
      with: {
        rules: [
          { label: 'porn', action: 'hide' },
          { label: 'nudity', action: 'blur' },
        ],
      },
    },
  },
  'media-only': {
    summary: 'Keeps only posts with images or video (their own or their quote’s).',
    options: {},
    example: { use: 'media-only' },
  },
  'links-only': {
    summary: 'Keeps only posts with a link.',
    options: {},
    example: { use: 'links-only' },
  },
  'ai-generated': {
    summary:
      'Hides (or warns about) AI-generated content: by labels, hashtags, declared disclosures ("made with AI", "#AIart", "generated with Midjourney"…) in text, warnings and alt text, and optionally a scoring plugin as classifier.',
    options: {
      action: '`hide` or `warn`.',
      labels: 'Labels that mark AI content (replace the built-in list).',
      hashtags: 'Hashtags that mark AI content (replace the built-in list).',
      disclosures: 'Look for declared disclosures in text, content warnings and alt text.',
      classifier:
        '`{ plugin: "name@version", threshold = 0.8, with? }`: a scoring plugin returning a probability in [0, 1]; posts at or above the threshold are acted on.',
    },
    example: { use: 'ai-generated', with: { action: 'warn', hashtags: ['midjourney'] } },
  },
  'dedupe-crossposts': {
    summary:
      'Merges duplicates into one item that keeps every place it was seen: the same post from two sources, Bridgy Fed copies (both directions), and one person’s same text or link on both networks within the window.',
    options: {
      windowMinutes: 'Same-person posts of the same text or link within this many minutes are merged.',
      identities:
        'Groups of accounts known to be one person, each at least two ids or handles (`[["did:plc:me", "@me@example.social"]]`).',
    },
    example: { use: 'dedupe-crossposts', with: { identities: [['did:plc:alice', '@alice@example.social']] } },
  },
  'score/recency': {
    summary:
      'Sets the time scale of ranking: a post’s rank is its creation time in half-lives plus what the scorers add, so +1 is worth one half-life. Without this stage the half-life is 6 hours.',
    options: { halfLifeHours: 'The half-life, in hours.' },
    example: { use: 'score/recency', with: { halfLifeHours: 6 } },
  },
  'score/engagement': {
    summary:
      'Adds `weight × log2(1 + likes + 2·reposts + 2·quotes + replies)`, counts as known when the post arrived. Set the stage’s `weight`.',
    options: {},
    example: { use: 'score/engagement', weight: 0.2 },
  },
  'score/boost-authors': {
    summary: 'Adds `amount × weight` to the posts of these authors (a negative amount sinks them).',
    options: { authors: `The authors: ${AUTHORS}.`, amount: 'Rank units added (one unit is one half-life).' },
    example: { use: 'score/boost-authors', with: { authors: ['did:plc:friend'], amount: 2 } },
  },
  feedback: {
    summary:
      'Uses the member’s feedback from a published feed’s app: posts already seen are hidden or sunk, and an author gets `weight × (more·n(more) − less·n(less))`, each count capped at 3.',
    options: {
      seen: 'What an already seen post does: `hide`, `sink` (by `sinkBy` units) or `keep`.',
      sinkBy: 'Rank units an already seen post sinks.',
      less: 'Rank units per "show less like this" on an author’s posts.',
      more: 'Rank units per "show more like this" on an author’s posts.',
    },
    example: { use: 'feedback', with: { seen: 'hide' } },
  },
  'diversify/author-cap': {
    summary:
      'Demotes an author’s posts beyond `max` in any `per` ranked items of a batch, so one prolific account does not fill the timeline.',
    options: {
      max: 'Posts of one author allowed in any `per` consecutive items.',
      per: 'The window, in ranked items.',
      penalty: 'Rank units subtracted per post over the cap.',
    },
    example: { use: 'diversify/author-cap', with: { max: 3, per: 20 } },
  },
};

/** The JSON Schema of a stage's `with` as the user writes it (defaults optional). */
export function stageOptionsSchema(name: BuiltinStageName): JsonSchemaNode {
  return z.toJSONSchema(builtinStageConfigs[name], { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
}

interface JsonSchemaNode {
  type?: string;
  enum?: unknown[];
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  default?: unknown;
}

/** A short type for the table: `string[]`, `"hide" \| "warn"`, `object`… */
function typeOf(node: JsonSchemaNode): string {
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (node.anyOf) return node.anyOf.map(typeOf).join(' \\| ');
  if (node.type === 'array') {
    const item = node.items ? typeOf(node.items) : 'any';
    return item.includes(' ') ? `(${item})[]` : `${item}[]`;
  }
  return node.type ?? 'any';
}

/** The Markdown reference of every built-in stage (the generated part of docs/pipelines.md). */
export function renderStageReference(): string {
  const out: string[] = [];
  for (const name of Object.keys(builtinStageConfigs) as BuiltinStageName[]) {
    const doc = STAGE_DOCS[name];
    const schema = stageOptionsSchema(name);
    out.push(`### \`${name}\``, '', doc.summary, '');
    const props = Object.entries(schema.properties ?? {});
    if (props.length === 0) out.push('No options (`with` may be left out).', '');
    else {
      out.push('| option | type | default | |', '| --- | --- | --- | --- |');
      for (const [key, prop] of props) {
        const fallback = schema.required?.includes(key) ? '**required**' : 'optional';
        const value = prop.default === undefined ? fallback : `\`${JSON.stringify(prop.default)}\``;
        out.push(
          `| \`${key}\` | ${typeOf(prop)} | ${value} | ${(doc.options[key] ?? '').replaceAll('|', '\\|')} |`,
        );
      }
      out.push('');
    }
    out.push('```json', JSON.stringify(doc.example), '```', '');
  }
  return out.join('\n');
}

const BEGIN = '<!-- stages:begin (generated by tools/scripts/pipeline-docs.ts from libs/pipeline) -->';
const END = '<!-- stages:end -->';

/** `doc` with its generated part (between the markers) replaced by {@link renderStageReference}. */
export function withStageReference(doc: string): string {
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/pipelines.md: markers ${BEGIN} … ${END} not found`);
  return `${doc.slice(0, start + BEGIN.length)}\n\n${renderStageReference()}${doc.slice(end)}`;
}
