/** The `next` (older) and `prev` (newer) page URLs of a Mastodon `Link` header. */
export function parseLinkHeader(header: string | null): { next: URL | null; prev: URL | null } {
  const out: { next: URL | null; prev: URL | null } = { next: null, prev: null };
  if (!header) return out;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (!m) continue;
    const rel =
      /rel\s*=\s*"?([^";]+)"?/i
        .exec(m[2] as string)?.[1]
        ?.trim()
        .split(/\s+/) ?? [];
    let url: URL;
    try {
      url = new URL(m[1] as string);
    } catch {
      continue;
    }
    if (rel.includes('next')) out.next = url;
    if (rel.includes('prev')) out.prev = url;
  }
  return out;
}
