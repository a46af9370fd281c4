// One member's own labels of a post (Label.personal: their Mastodon filters, the Bluesky labelers
// they subscribe to) live apart from the post other members share, and join it again only in that
// member's view of it (README "Security").
import type { Label, Post } from './post.js';

/** The personal labels of one member's view of a post, and of the post it quotes. */
export interface PersonalLabels {
  post: Label[];
  quote: Label[];
}

/** A post, or a stored one (without its native record). */
type PostLike = Pick<Post, 'labels' | 'quote'>;

/**
 * The post as it may be shared (its personal labels and its quote's removed) and those labels
 * apart; `personal` is null when there are none, as for most posts.
 */
export function splitPersonalLabels<P extends PostLike>(
  post: P,
): { shared: P; personal: PersonalLabels | null } {
  const own = post.labels.filter((l) => l.personal !== true);
  const quote = post.quote;
  const quoteLabels = Array.isArray(quote?.labels) ? quote.labels : [];
  const quoteOwn = quoteLabels.filter((l) => l.personal !== true);
  if (own.length === post.labels.length && quoteOwn.length === quoteLabels.length)
    return { shared: post, personal: null };
  const shared = { ...post, labels: own } as P;
  if (quote && quoteOwn.length !== quoteLabels.length) shared.quote = { ...quote, labels: quoteOwn };
  return {
    shared,
    personal: {
      post: post.labels.filter((l) => l.personal === true),
      quote: quoteLabels.filter((l) => l.personal === true),
    },
  };
}

/**
 * One member's view of a shared post: its labels followed by the member's personal ones (from each
 * of `personal`, e.g. every source of theirs that delivered it), each label once.
 */
export function withPersonalLabels<P extends PostLike>(
  post: P,
  ...personal: readonly (PersonalLabels | null | undefined)[]
): P {
  const merged = mergePersonalLabels(personal);
  if (merged === null) return post;
  const view = { ...post, labels: addLabels(post.labels, merged.post) } as P;
  if (post.quote && merged.quote.length > 0 && Array.isArray(post.quote.labels))
    view.quote = { ...post.quote, labels: addLabels(post.quote.labels, merged.quote) };
  return view;
}

/** Several views' personal labels as one (each label once); null when there are none. */
export function mergePersonalLabels(
  all: readonly (PersonalLabels | null | undefined)[],
): PersonalLabels | null {
  let merged: PersonalLabels | null = null;
  for (const p of all) {
    if (!p || (p.post.length === 0 && p.quote.length === 0)) continue;
    merged =
      merged === null ? p : { post: addLabels(merged.post, p.post), quote: addLabels(merged.quote, p.quote) };
  }
  return merged;
}

function addLabels(to: Label[], more: readonly Label[]): Label[] {
  const out = to.slice();
  for (const l of more) {
    if (!out.some((o) => o.source === l.source && o.value === l.value)) out.push({ ...l, personal: true });
  }
  return out;
}
