import type { Post } from '@tributary/core';
import type { BuiltinStageConfig } from '../spec.js';
import type { CompiledStage, ItemState, Verdict } from './stage.js';
import { authorIn, authorSet, perPostFilter } from './stage.js';

/**
 * A repost this stage would hide, of a post that also came by itself (the member follows its
 * author): the repost goes, the post stays, shown as its author posted it.
 */
function unwrapOrHide(item: ItemState, hide: Verdict, unwrap: Verdict): Verdict {
  if (item.candidate.original !== true) return hide;
  item.reason = null;
  return unwrap;
}

export function muteAuthors(index: number, cfg: BuiltinStageConfig<'mute-authors'>): CompiledStage {
  const set = authorSet(cfg.authors);
  const verdict: Verdict = { verdict: 'hide', reason: 'muted author' };
  const reposter: Verdict = { verdict: 'hide', reason: 'reposted by a muted author' };
  const unwrapped: Verdict = {
    verdict: 'keep',
    reason: 'repost by a muted author hidden; the post itself came too',
  };
  return perPostFilter('mute-authors', index, (item) => {
    const a = item.post.author;
    if (authorIn(set, a.networkId, a.handle)) return verdict;
    const by = item.reason?.by;
    return by !== undefined && authorIn(set, by.networkId, by.handle)
      ? unwrapOrHide(item, reposter, unwrapped)
      : null;
  });
}

/** Primary language subtag, lowercased: `en-US` → `en`. */
function primary(tag: string): string {
  const dash = tag.indexOf('-');
  return (dash < 0 ? tag : tag.slice(0, dash)).toLowerCase();
}

/**
 * Whether the primary subtag of `tag` is in `set` (of primary subtags). A tag that is in the set is
 * its own primary subtag, so that common case skips splitting and lowercasing it.
 */
function primaryIn(set: ReadonlySet<string>, tag: string): boolean {
  return set.has(tag) || set.has(primary(tag));
}

// A post in several languages passes `allow` if any of them is allowed, and is hidden by `deny`
// only if all of them are denied (a post in English and German is still readable without German).
export function language(index: number, cfg: BuiltinStageConfig<'language'>): CompiledStage {
  const allow = cfg.allow ? new Set(cfg.allow.map(primary)) : null;
  const deny = cfg.deny ? new Set(cfg.deny.map(primary)) : null;
  const unknown: Verdict = { verdict: 'hide', reason: 'language unknown' };
  const notAllowed: Verdict = { verdict: 'hide', reason: 'language not allowed' };
  const denied: Verdict = { verdict: 'hide', reason: 'language denied' };
  return perPostFilter('language', index, (item) => {
    const langs = item.post.languages;
    if (langs.length === 0) return cfg.keepUnknown ? null : unknown;
    if (allow !== null) {
      let ok = false;
      for (let i = 0; i < langs.length && !ok; i++) ok = primaryIn(allow, langs[i]!);
      if (!ok) return notAllowed;
    }
    if (deny !== null) {
      for (let i = 0; i < langs.length; i++) if (!primaryIn(deny, langs[i]!)) return null;
      return denied;
    }
    return null;
  });
}

export function network(index: number, cfg: BuiltinStageConfig<'network'>): CompiledStage {
  const allow = new Set<string>(cfg.allow);
  const verdict: Verdict = { verdict: 'hide', reason: 'network not allowed' };
  return perPostFilter('network', index, (item) => (allow.has(item.post.network) ? null : verdict));
}

export function hideReposts(index: number, cfg: BuiltinStageConfig<'hide-reposts'>): CompiledStage {
  const except = authorSet(cfg.except);
  const verdict: Verdict = { verdict: 'hide', reason: 'repost' };
  const kept: Verdict = { verdict: 'keep', reason: 'repost by an excepted account' };
  const unwrapped: Verdict = { verdict: 'keep', reason: 'repost hidden; the post itself came too' };
  return perPostFilter('hide-reposts', index, (item) => {
    const by = item.reason?.by;
    if (by === undefined) return null;
    return authorIn(except, by.networkId, by.handle) ? kept : unwrapOrHide(item, verdict, unwrapped);
  });
}

export function hideReplies(index: number, cfg: BuiltinStageConfig<'hide-replies'>): CompiledStage {
  const except = authorSet(cfg.except);
  const verdict: Verdict = { verdict: 'hide', reason: 'reply' };
  const kept: Verdict = { verdict: 'keep', reason: 'reply by an excepted account' };
  return perPostFilter('hide-replies', index, (item) => {
    const post = item.post;
    const parent = post.replyParent;
    if (parent === null) return null;
    if (cfg.keepSelfThreads && parent.authorNetworkId === post.author.networkId) return null;
    return authorIn(except, post.author.networkId, post.author.handle) ? kept : verdict;
  });
}

function hasMedia(post: Post): boolean {
  return post.media.length > 0 || (post.quote !== null && post.quote.media.length > 0);
}

// `blur` only makes sense for media: on a text-only post it becomes `warn`, so a content warning
// on a text post is still respected (DESIGN.md, "what people ask" #7).
export function contentWarning(index: number, cfg: BuiltinStageConfig<'content-warning'>): CompiledStage {
  const sensitive: Verdict = { verdict: cfg.action, reason: 'sensitive media' };
  return perPostFilter('content-warning', index, (item) => {
    const post = item.post;
    const cw = post.contentWarning;
    if (cw !== null && cw.trim() !== '') {
      const action = cfg.action === 'blur' && !hasMedia(post) ? 'warn' : cfg.action;
      return { verdict: action, reason: `content warning: ${cw.trim().slice(0, 100)}` };
    }
    if (cfg.includeSensitive && post.sensitive) {
      return cfg.action === 'blur' && !hasMedia(post) ? { verdict: 'warn', reason: 'sensitive' } : sensitive;
    }
    return null;
  });
}

const SEVERITY = { keep: 0, blur: 1, warn: 2, hide: 3 } as const;

export function labels(index: number, cfg: BuiltinStageConfig<'labels'>): CompiledStage {
  const rules = new Map<string, 'hide' | 'warn' | 'blur'>();
  for (const r of cfg.rules) rules.set(r.label.toLowerCase(), r.action);
  return perPostFilter('labels', index, (item) => {
    const list = item.post.labels;
    if (list.length === 0) return null;
    let best: Verdict | null = null;
    for (let i = 0; i < list.length; i++) {
      const label = list[i]!;
      let action = rules.get(label.value.toLowerCase());
      if (
        action === undefined &&
        cfg.honorNetworkActions &&
        label.action !== null &&
        label.action !== 'inform'
      ) {
        action = label.action;
      }
      if (action !== undefined && (best === null || SEVERITY[action] > SEVERITY[best.verdict])) {
        best = { verdict: action, reason: `label: ${label.value}` };
      }
    }
    if (best !== null && best.verdict === 'blur' && !hasMedia(item.post))
      best = { verdict: 'warn', reason: best.reason };
    return best;
  });
}

export function mediaOnly(index: number): CompiledStage {
  const verdict: Verdict = { verdict: 'hide', reason: 'no media' };
  return perPostFilter('media-only', index, (item) => (hasMedia(item.post) ? null : verdict));
}

function hasLink(item: ItemState): boolean {
  const post = item.post;
  if (post.linkCard !== null) return true;
  const segments = post.richText.segments;
  for (let i = 0; i < segments.length; i++) if (segments[i]!.type === 'link') return true;
  return false;
}

export function linksOnly(index: number): CompiledStage {
  const verdict: Verdict = { verdict: 'hide', reason: 'no link' };
  return perPostFilter('links-only', index, (item) => (hasLink(item) ? null : verdict));
}
