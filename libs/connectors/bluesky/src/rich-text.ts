import type { RichText, RichTextSegment } from '@tributary/core';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** One facet feature we understand; anything else leaves its text plain. */
type Feature =
  { type: 'link'; url: string } | { type: 'mention'; did: string } | { type: 'hashtag'; tag: string };

interface Span {
  start: number;
  end: number;
  feature: Feature;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readFeature(features: unknown): Feature | null {
  if (!Array.isArray(features)) return null;
  for (const f of features) {
    if (!isObject(f)) continue;
    if (f.$type === 'app.bsky.richtext.facet#link' && typeof f.uri === 'string')
      return { type: 'link', url: f.uri };
    if (f.$type === 'app.bsky.richtext.facet#mention' && typeof f.did === 'string')
      return { type: 'mention', did: f.did };
    if (f.$type === 'app.bsky.richtext.facet#tag' && typeof f.tag === 'string')
      return { type: 'hashtag', tag: f.tag };
  }
  return null;
}

/** A UTF-8 continuation byte (10xxxxxx) is never the start of a character. */
function isBoundary(bytes: Uint8Array, index: number): boolean {
  if (index === 0 || index === bytes.length) return true;
  const b = bytes[index];
  return b !== undefined && (b & 0xc0) !== 0x80;
}

function pushText(segments: RichTextSegment[], text: string): void {
  // Line breaks become their own segment so clients need not parse text.
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (i > 0) segments.push({ type: 'linebreak', text: '\n' });
    if (line) segments.push({ type: 'text', text: line });
  });
}

/**
 * Turns a Bluesky post's text and facets (UTF-8 byte ranges) into text runs. Facets that are out of
 * range, overlap an earlier one, split a character or carry no known feature are ignored: their text
 * stays plain, so the concatenated runs always equal `text`.
 */
export function facetsToRichText(text: string, facets: unknown): { richText: RichText; hashtags: string[] } {
  const bytes = encoder.encode(text);
  const spans: Span[] = [];
  if (Array.isArray(facets)) {
    for (const facet of facets) {
      if (!isObject(facet) || !isObject(facet.index)) continue;
      const { byteStart, byteEnd } = facet.index;
      if (!Number.isInteger(byteStart) || !Number.isInteger(byteEnd)) continue;
      const start = byteStart as number;
      const end = byteEnd as number;
      if (start < 0 || end > bytes.length || start >= end) continue;
      if (!isBoundary(bytes, start) || !isBoundary(bytes, end)) continue;
      const feature = readFeature(facet.features);
      if (feature) spans.push({ start, end, feature });
    }
  }
  spans.sort((a, b) => a.start - b.start);

  const segments: RichTextSegment[] = [];
  const hashtags: string[] = [];
  let cursor = 0;
  for (const span of spans) {
    if (span.start < cursor) continue; // overlaps the previous facet
    if (span.start > cursor) pushText(segments, decoder.decode(bytes.subarray(cursor, span.start)));
    const spanText = decoder.decode(bytes.subarray(span.start, span.end));
    const { feature } = span;
    if (feature.type === 'link') segments.push({ type: 'link', text: spanText, url: feature.url });
    else if (feature.type === 'mention') {
      const handle = spanText.startsWith('@') ? spanText.slice(1) : null;
      segments.push({ type: 'mention', text: spanText, networkId: feature.did, handle });
    } else {
      segments.push({ type: 'hashtag', text: spanText, tag: feature.tag });
      hashtags.push(feature.tag);
    }
    cursor = span.end;
  }
  if (cursor < bytes.length) pushText(segments, decoder.decode(bytes.subarray(cursor)));
  return { richText: { segments }, hashtags };
}
