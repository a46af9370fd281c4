// Status `content` as Mastodon clients expect it: paragraphs of escaped text with links, mentions
// (`u-url mention` inside an `h-card`) and hashtags (`mention hashtag`), built from the normalized
// rich text of either network, never from a network's own HTML.
import type { Author, RichTextSegment } from '@tributary/core';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

const SPECIAL = /[&<>"']/;

export function escapeHtml(text: string): string {
  // Most text has nothing to escape: testing first skips a replace with a callback (a timeline page
  // escapes some hundred strings).
  return SPECIAL.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c]!) : text;
}

/** Only http(s) links become anchors: a `javascript:` URL from a hostile server stays text. */
function safeUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

const anchor = (href: string, inner: string, attrs = ''): string =>
  `<a href="${escapeHtml(href)}"${attrs} rel="nofollow noopener noreferrer" target="_blank">${inner}</a>`;

/** Where a person's profile opens in a browser. */
export function profileUrl(author: Pick<Author, 'network' | 'networkId' | 'handle'>): string {
  if (author.network === 'BLUESKY') return `https://bsky.app/profile/${author.networkId}`;
  return safeUrl(author.networkId) ?? `https://${author.handle.split('@')[1] ?? 'invalid'}/@${author.handle}`;
}

/** A hashtag's page on the network the post is from. */
export function tagUrl(network: Author['network'], tag: string, authorHandle: string): string {
  const encoded = encodeURIComponent(tag);
  if (network === 'BLUESKY') return `https://bsky.app/hashtag/${encoded}`;
  return `https://${authorHandle.split('@')[1] ?? 'invalid'}/tags/${encoded}`;
}

function segmentHtml(segment: RichTextSegment, network: Author['network'], authorHandle: string): string {
  switch (segment.type) {
    case 'text':
      return escapeHtml(segment.text);
    case 'linebreak':
      return '<br>';
    case 'link': {
      const url = safeUrl(segment.url);
      return url ? anchor(url, escapeHtml(segment.text)) : escapeHtml(segment.text);
    }
    case 'mention': {
      const href = profileUrl({ network, networkId: segment.networkId, handle: segment.handle ?? '' });
      const name = segment.text.replace(/^@/, '');
      return `<span class="h-card">${anchor(href, `@<span>${escapeHtml(name)}</span>`, ' class="u-url mention"')}</span>`;
    }
    case 'hashtag':
      return anchor(
        tagUrl(network, segment.tag, authorHandle),
        `#<span>${escapeHtml(segment.tag)}</span>`,
        ' class="mention hashtag"',
      );
  }
}

const trimBreaks = (html: string): string =>
  html.startsWith('<br>') || html.endsWith('<br>') ? html.replace(/^(<br>)+|(<br>)+$/g, '') : html;

/** Paragraphs split at blank lines; single line breaks stay `<br>`. */
export function richTextHtml(
  segments: readonly RichTextSegment[],
  network: Author['network'],
  authorHandle: string,
): string {
  const paragraphs: string[] = [];
  let current = '';
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment.type === 'linebreak' && segments[i + 1]?.type === 'linebreak') {
      if (current) paragraphs.push(current);
      current = '';
      while (segments[i + 1]?.type === 'linebreak') i++;
      continue;
    }
    current += segmentHtml(segment, network, authorHandle);
  }
  if (current) paragraphs.push(trimBreaks(current));
  return paragraphs
    .filter((p) => p)
    .map((p) => `<p>${p}</p>`)
    .join('');
}

/** The line pre-4.4 clients show for a quote; 4.4+ clients hide `quote-inline` and show `quote`. */
export function quoteFallbackHtml(url: string): string {
  const safe = safeUrl(url);
  const link = safe ? anchor(safe, escapeHtml(safe)) : escapeHtml(url);
  return `<p class="quote-inline">RE: ${link}</p>`;
}
