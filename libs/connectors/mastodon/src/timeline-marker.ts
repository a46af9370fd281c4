// Where an incremental sync of a Mastodon timeline stands. Servers answer paging parameters
// differently (some answer `min_id` like `since_id`), so a sync trusts none of them to return
// "everything new": it reads newest-first down to the last entry it has seen, and what it could not
// reach within one call stays in the marker as an open gap for the next call.

export interface TimelineMarker {
  /** The newest entry fetched (an opaque id); null when the timeline was seen empty. */
  top: string | null;
  /**
   * Entries not fetched yet: those below `below` (a `max_id` cursor) and above `floor` (the previous
   * `top`; null: down to the end of the timeline).
   */
  gap: { below: string; floor: string | null } | null;
}

const isId = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** Null for a source never synced. A marker of an older version (a bare status id) is its `top`. */
export function parseTimelineMarker(marker: string | null): TimelineMarker | null {
  if (marker === null || marker === '') return null;
  if (!marker.startsWith('{')) return { top: marker, gap: null };
  try {
    const m = JSON.parse(marker) as {
      v?: unknown;
      top?: unknown;
      gap?: { below?: unknown; floor?: unknown };
    };
    if (m.v !== 2) return null;
    const top = isId(m.top) ? m.top : null;
    const gap =
      m.gap && isId(m.gap.below)
        ? { below: m.gap.below, floor: isId(m.gap.floor) ? m.gap.floor : null }
        : null;
    return { top, gap };
  } catch {
    // Unreadable: a first sync again (upserts are idempotent, the backfill covers history).
    return null;
  }
}

export function serializeTimelineMarker(marker: TimelineMarker): string {
  return JSON.stringify({ v: 2, top: marker.top, gap: marker.gap });
}
