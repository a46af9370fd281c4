import sanitizeHtml from 'sanitize-html';
import type { RichText, RichTextSegment } from '@tributary/core';

export interface ContentContext {
  mentions: { url?: string; acct?: string }[];
  tags: { name?: string; url?: string }[];
  /** Host of the instance that served the status, to complete local `acct`s into `user@host`. */
  instanceHost: string;
}

// Mastodon content is HTML from any server in the fediverse: keep only what carries meaning
// (paragraphs, line breaks, links) and drop the rest, including the text of script/style blocks.
const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ['a', 'br', 'p'],
  allowedAttributes: { a: ['href', 'class'] },
  allowedSchemes: ['http', 'https'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'iframe', 'template', 'object'],
};

// sanitize-html's output is well formed and only holds the three tags above with double-quoted
// attributes, so a small tokenizer over it is exact.
const TOKEN = /<(\/?)(a|br|p)((?:\s+[a-z-]+="[^"]*")*)\s*\/?>|([^<]+)/g;
const ATTR = /([a-z-]+)="([^"]*)"/g;

function decode(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39);/g, (_m, e: string) =>
    e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : "'",
  );
}

function attrs(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of raw.matchAll(ATTR)) out[m[1] as string] = decode(m[2] as string);
  return out;
}

function handleFor(acct: string, instanceHost: string): string {
  return acct.includes('@') ? acct : `${acct}@${instanceHost}`;
}

/** Converts a status's HTML into rich-text runs and plain text (the concatenation of the runs). */
export function htmlToRichText(html: string, ctx: ContentContext): { richText: RichText; text: string } {
  const clean = sanitizeHtml(html, SANITIZE);
  const segments: RichTextSegment[] = [];
  const push = (seg: RichTextSegment): void => {
    const last = segments[segments.length - 1];
    if (seg.type === 'text' && last?.type === 'text') last.text += seg.text;
    else if (seg.text !== '') segments.push(seg);
  };
  const linebreak = (): void => push({ type: 'linebreak', text: '\n' });

  let anchor: { href: string | null; cls: string; text: string } | null = null;
  let paragraphs = 0;
  for (const m of clean.matchAll(TOKEN)) {
    const [, closing, tag, rawAttrs, textRun] = m;
    if (textRun !== undefined) {
      const text = decode(textRun);
      if (anchor) anchor.text += text;
      else push({ type: 'text', text });
      continue;
    }
    if (tag === 'br') {
      if (anchor) anchor.text += '\n';
      else linebreak();
    } else if (tag === 'p') {
      if (!closing && paragraphs++ > 0) {
        linebreak();
        linebreak();
      }
    } else if (tag === 'a') {
      if (!closing) {
        const a = attrs(rawAttrs ?? '');
        anchor = { href: a['href'] ?? null, cls: a['class'] ?? '', text: '' };
      } else if (anchor) {
        push(anchorSegment(anchor, ctx));
        anchor = null;
      }
    }
  }
  if (anchor) push(anchorSegment(anchor, ctx));
  while (segments[segments.length - 1]?.type === 'linebreak') segments.pop();
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
