import type { Post } from '@tributary/core';
import type { BuiltinStageConfig } from '../spec.js';
import type { MuteTerm, TermMatcher } from '../text-match.js';
import { compileTerms, termKeys } from '../text-match.js';
import type { CompiledStage, ItemState, TextKeys } from './stage.js';
import { applyVerdict, perPostStage, recordPass } from './stage.js';

type Config = BuiltinStageConfig<'mute-words'>;
type Field = NonNullable<Config['fields']>[number];
const ALL_FIELDS: readonly Field[] = ['text', 'contentWarning', 'altText', 'linkTitle', 'hashtags', 'quote'];

interface TimedTerm {
  term: MuteTerm;
  expiresMs: number;
}

interface Fields {
  text: boolean;
  contentWarning: boolean;
  altText: boolean;
  linkTitle: boolean;
  hashtags: boolean;
  quote: boolean;
}

/**
 * The first field of `post` where `matcher` finds a term, or null. `textKeysFound`: whether the
 * pipeline's text scan found any of the terms' keys in `post.text` (see TextKeys).
 */
function matchPost(post: Post, fields: Fields, matcher: TermMatcher, textKeysFound: boolean): Field | null {
  if (fields.text && matcher.testScanned(post.text, textKeysFound)) return 'text';
  if (fields.contentWarning && post.contentWarning !== null && matcher.test(post.contentWarning)) {
    return 'contentWarning';
  }
  if (fields.altText) {
    for (let i = 0; i < post.media.length; i++) {
      const alt = post.media[i]!.altText;
      if (alt !== null && matcher.test(alt)) return 'altText';
    }
  }
  if (fields.linkTitle && post.linkCard !== null && matcher.test(post.linkCard.title)) return 'linkTitle';
  if (fields.hashtags) {
    // Tags are tested with their `#` so both "crypto" and "#crypto" mute #Crypto.
    for (let i = 0; i < post.hashtags.length; i++)
      if (matcher.test(`#${post.hashtags[i]!}`)) return 'hashtags';
  }
  if (fields.quote && post.quote !== null) {
    const q = post.quote;
    if (matcher.test(q.text) || (q.contentWarning !== null && matcher.test(q.contentWarning))) return 'quote';
  }
  return null;
}

function textOf(post: Post, field: Field): string {
  switch (field) {
    case 'text':
      return post.text;
    case 'contentWarning':
      return post.contentWarning ?? '';
    case 'altText':
      return post.media.map((m) => m.altText ?? '').join('\n');
    case 'linkTitle':
      return post.linkCard?.title ?? '';
    case 'hashtags':
      return post.hashtags.map((t) => `#${t}`).join(' ');
    case 'quote':
      return `${post.quote?.text ?? ''}\n${post.quote?.contentWarning ?? ''}`;
  }
}

export function muteWords(index: number, cfg: Config, textKeys: TextKeys): CompiledStage {
  const chosen = new Set<Field>(cfg.fields ?? ALL_FIELDS);
  const fields: Fields = {
    text: chosen.has('text'),
    contentWarning: chosen.has('contentWarning'),
    altText: chosen.has('altText'),
    linkTitle: chosen.has('linkTitle'),
    hashtags: chosen.has('hashtags'),
    quote: chosen.has('quote'),
  };
  const networks = cfg.networks ? new Set<string>(cfg.networks) : null;
  const stageExpires = cfg.expiresAt ? Date.parse(cfg.expiresAt) : Infinity;
  const terms: TimedTerm[] = cfg.words.map((entry) => {
    if (typeof entry === 'string')
      return { term: { kind: 'word', word: entry, wholeWord: cfg.wholeWord }, expiresMs: Infinity };
    const term: MuteTerm =
      entry.regex !== undefined
        ? { kind: 'regex', source: entry.regex }
        : { kind: 'word', word: entry.word ?? '', wholeWord: entry.wholeWord ?? cfg.wholeWord };
    return { term, expiresMs: entry.expiresAt ? Date.parse(entry.expiresAt) : Infinity };
  });
  // Keys of every term, expired or not: a superset of the live terms' keys only costs a regex run.
  const textBit = textKeys.register(termKeys(terms.map((t) => t.term)));
  // Expiry depends on the run's clock: recompile only when the set of live terms changes.
  let cachedKey = '';
  let cached: TermMatcher | null = null;
  const matcherAt = (nowMs: number): TermMatcher | null => {
    if (nowMs >= stageExpires) return null;
    let key = '';
    for (let i = 0; i < terms.length; i++) key += terms[i]!.expiresMs > nowMs ? '1' : '0';
    if (key !== cachedKey || (cached === null && key.includes('1'))) {
      cachedKey = key;
      cached = compileTerms(terms.filter((t) => t.expiresMs > nowMs).map((t) => t.term));
    }
    return cached;
  };
  return perPostStage('mute-words', index, 'filter', (context) => {
    const matcher = matcherAt(context.nowMs);
    const explain = context.explain;
    return (item: ItemState) => {
      const applies = matcher !== null && (networks === null || networks.has(item.post.network));
      const field = applies
        ? matchPost(item.post, fields, matcher, fields.text && (textKeys.mask(item) & textBit) !== 0)
        : null;
      if (field === null || matcher === null) {
        if (explain) recordPass(item, 'mute-words', index);
        return;
      }
      const word = matcher.which(textOf(item.post, field));
      applyVerdict(item, 'mute-words', index, {
        verdict: cfg.action,
        reason: `muted word "${word ?? '?'}" in ${field}`,
      });
    };
  });
}
