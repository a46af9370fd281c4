import { convert } from 'html-to-text';
import sanitizeHtml from 'sanitize-html';
import type { RichText, RichTextSegment } from '@tributary/core';

export interface ContentContext {
  mentions: { url?: string; acct?: string }[];
  tags: { name?: string; url?: string }[];
  /** Host of the instance that served the status, to complete local `acct`s into `user@host`. */
  instanceHost: string;
}

// Mastodon content is HTML from any server in the fediverse: keep only what carries meaning
// (paragraphs, line breaks, links, lists, quotes, code) and drop the rest, including the text of
// script/style blocks. Headings become paragraphs.
const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ['a', 'br', 'p', 'ul', 'ol', 'li', 'blockquote', 'pre', 'code'],
  allowedAttributes: { a: ['href', 'class'] },
  allowedSchemes: ['http', 'https'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'iframe', 'template', 'object'],
  transformTags: Object.fromEntries(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((h) => [h, 'p'])),
};

// Anchors are marked in html-to-text's output with private-use characters around their index, so
// that the text's layout is the library's and the links can still be told apart.
const OPEN = '\uE000';
const MID = '\uE001';
const CLOSE = '\uE002';
const MARKED = /\uE000(\d+)\uE001([^\uE000-\uE002]*)\uE002/g;

function layout(html: string, anchors: { href: string | null; cls: string }[]): string {
  return convert(html, {
    wordwrap: false,
    formatters: {
      anchor(elem, walk, builder) {
        const attribs = (elem as { attribs?: Record<string, string> }).attribs ?? {};
        anchors.push({ href: attribs['href'] ?? null, cls: attribs['class'] ?? '' });
        builder.addInline(`${OPEN}${anchors.length - 1}${MID}`, { noWordTransform: true });
        walk((elem as { children?: unknown[] }).children as never, builder);
        builder.addInline(CLOSE, { noWordTransform: true });
      },
    },
    selectors: [
      { selector: 'a', format: 'anchor' },
      { selector: 'ul', options: { itemPrefix: '• ' } },
    ],
  });
}

function handleFor(acct: string, instanceHost: string): string {
  return acct.includes('@') ? acct : `${acct}@${instanceHost}`;
}

/**
 * Converts a status's HTML into rich-text runs and plain text (the concatenation of the runs). The
 * text layout (paragraphs, lists, quotes, whitespace) is html-to-text's.
 */
export function htmlToRichText(html: string, ctx: ContentContext): { richText: RichText; text: string } {
  const anchors: { href: string | null; cls: string }[] = [];
  // The markers cannot come from the status itself.
  const text = layout(sanitizeHtml(html, SANITIZE).replace(/[\uE000-\uE002]/g, ''), anchors);
  const segments: RichTextSegment[] = [];
  const pushText = (run: string): void => {
    // A marker left over (an anchor inside an anchor) is dropped, its text kept.
    run
      .replace(/\uE000\d+\uE001|\uE002/g, '')
      .split('\n')
      .forEach((line, n) => {
        if (n > 0) segments.push({ type: 'linebreak', text: '\n' });
        const last = segments[segments.length - 1];
        if (line === '') return;
        if (last?.type === 'text') last.text += line;
        else segments.push({ type: 'text', text: line });
      });
  };
  let at = 0;
  for (const m of text.matchAll(MARKED)) {
    pushText(text.slice(at, m.index));
    const anchor = anchors[Number(m[1])];
    const inner = m[2] ?? '';
    if (anchor && inner !== '') {
      const seg = anchorSegment({ ...anchor, text: inner }, ctx);
      if (seg.type === 'text') pushText(seg.text);
      else segments.push(seg);
    }
    at = (m.index ?? 0) + m[0].length;
  }
  pushText(text.slice(at));
  return { richText: { segments }, text: segments.map((s) => s.text).join('') };
}

function anchorSegment(
  a: { href: string | null; cls: string; text: string },
  ctx: ContentContext,
): RichTextSegment {
  // A link whose scheme the sanitizer removed is kept as its text only.
  if (!a.href) return { type: 'text', text: a.text };
  const classes = a.cls.split(/\s+/);
  if (classes.includes('hashtag') || a.text.startsWith('#')) {
    const byUrl = ctx.tags.find((t) => t.url === a.href);
    const tag = (byUrl?.name ?? a.text.replace(/^#/, '')).toLowerCase();
    if (tag) return { type: 'hashtag', text: a.text, tag };
  }
  if (classes.includes('mention') || a.text.startsWith('@')) {
    const mention = ctx.mentions.find((x) => x.url === a.href);
    if (mention) {
      return {
        type: 'mention',
        text: a.text,
        networkId: a.href,
        handle: mention.acct ? handleFor(mention.acct, ctx.instanceHost) : null,
      };
    }
  }
  return { type: 'link', text: a.text, url: a.href };
}
