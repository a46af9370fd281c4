// DOM building for timeline items. Only textContent and attributes: nothing from the network is
// ever parsed as HTML.

/** `el('p', { class: 'x' }, 'text', child)`: an element with attributes and children. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined && value !== false)
      node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const NETWORK_NAMES = { BLUESKY: 'Bluesky', MASTODON: 'Mastodon' };

/** Bluesky, Mastodon or "Bluesky + Mastodon" for a cross-post seen on both. */
export function networksOf(item) {
  const networks = new Set([item.post.network, ...item.seenIn.map((s) => s.network)]);
  return [...networks].map((n) => NETWORK_NAMES[n] ?? n).join(' + ');
}

function safeHref(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** "Why am I seeing this": the pipeline's decisions and, for a hidden item, why it is hidden. */
function why(item) {
  const rows = item.decisions.map((d) =>
    el(
      'li',
      { class: `decision verdict-${d.verdict.toLowerCase()}` },
      el('span', { class: 'stage' }, d.stage),
      ' ',
      el('span', { class: 'verdict' }, d.verdict.toLowerCase()),
      d.reason ? ` — ${d.reason}` : '',
      d.score ? ` (${d.score > 0 ? '+' : ''}${d.score.toFixed(2)})` : '',
    ),
  );
  return el(
    'details',
    { class: 'why' },
    el('summary', {}, 'Why am I seeing this?'),
    item.hidden
      ? el('p', { class: 'hidden-reason' }, `Hidden: ${item.hiddenReason ?? 'no reason given'}`)
      : null,
    item.reason ? el('p', {}, `Reposted by @${item.reason.by.handle}`) : null,
    el('p', {}, `Seen on ${networksOf(item)}`),
    rows.length ? el('ul', {}, rows) : el('p', {}, 'No pipeline stage had anything to say about it.'),
  );
}

/** One timeline item; `onLike(item, button, status)` is called when its like button is pressed. */
export function renderItem(item, onLike) {
  const { post } = item;
  const author = post.author.displayName
    ? `${post.author.displayName} (@${post.author.handle})`
    : `@${post.author.handle}`;
  const href = post.webUrl ? safeHref(post.webUrl) : null;
  const status = el('span', { class: 'action-status', role: 'status' });
  const like = el('button', { type: 'button', class: 'like' }, `Like (${post.counts.likes})`);
  like.addEventListener('click', () => onLike(item, like, status));
  return el(
    'li',
    { class: `item${item.hidden ? ' is-hidden' : ''}`, 'data-post-id': post.id, 'data-entry-id': item.id },
    el(
      'p',
      { class: 'meta' },
      el('span', { class: 'author' }, author),
      ' · ',
      el('span', { class: 'network' }, networksOf(item)),
      ' · ',
      href
        ? el(
            'a',
            { href, rel: 'noopener noreferrer', target: '_blank' },
            new Date(post.createdAt).toLocaleString(),
          )
        : new Date(post.createdAt).toLocaleString(),
    ),
    post.contentWarning ? el('p', { class: 'cw' }, `CW: ${post.contentWarning}`) : null,
    el('p', { class: 'text' }, post.text),
    item.warnings.length ? el('p', { class: 'warnings' }, item.warnings.join(' · ')) : null,
    why(item),
    el('p', { class: 'actions' }, like, ' ', status),
  );
}
