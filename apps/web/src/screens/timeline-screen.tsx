// The merged timeline of one pipeline: pages of items, new items announced live and added only when
// the reader asks (the reading position never jumps), the pipeline switcher and the composer.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ItemFieldsFragment } from '../gql/graphql';
import { messageOf, request } from '../api/client';
import { subscribe } from '../api/live';
import { Pipelines, Timeline, TimelineUpdated } from '../api/operations';
import { useQuery } from '../api/use-query';
import { PostCard } from '../components/post-card';
import { ComposeForm } from '../components/compose';
import { href, navigate } from '../router';

const PAGE = 20;

export function TimelineScreen({ pipelineId }: { pipelineId: string | null }) {
  const pipelines = useQuery(Pipelines, {});
  const [items, setItems] = useState<ItemFieldsFragment[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [incoming, setIncoming] = useState<ItemFieldsFragment[]>([]);
  const [rebuilt, setRebuilt] = useState(false);
  const [composing, setComposing] = useState(false);
  const generation = useRef(0);
  const listRef = useRef<HTMLOListElement>(null);

  const load = async (after: string | null) => {
    const run = generation.current;
    setLoading(true);
    setError(null);
    try {
      const { timeline } = await request(Timeline, {
        pipeline: pipelineId,
        after,
        includeHidden: false,
        first: PAGE,
      });
      if (run !== generation.current) return;
      const page = timeline.edges.map((e) => e.node);
      setItems((current) => {
        const seen = new Set(current.map((i) => i.id));
        return [...(after ? current : []), ...page.filter((i) => !after || !seen.has(i.id))];
      });
      setCursor(timeline.pageInfo.endCursor ?? after);
      setHasMore(timeline.pageInfo.hasNextPage);
    } catch (e) {
      if (run === generation.current) setError(messageOf(e));
    } finally {
      if (run === generation.current) setLoading(false);
    }
  };

  const restart = () => {
    generation.current++;
    setItems([]);
    setIncoming([]);
    setRebuilt(false);
    setCursor(null);
    void load(null);
  };

  useEffect(() => {
    restart();
    return subscribe(TimelineUpdated, { pipeline: pipelineId }, ({ timelineUpdated }) => {
      if (timelineUpdated.rebuilt) setRebuilt(true);
      else if (timelineUpdated.items.length > 0)
        setIncoming((current) => {
          const seen = new Set(current.map((i) => i.id));
          return [...timelineUpdated.items.filter((i) => !seen.has(i.id)), ...current];
        });
    });
  }, [pipelineId]);

  const showIncoming = () => {
    setItems((current) => {
      const seen = new Set(current.map((i) => i.id));
      return [...incoming.filter((i) => !seen.has(i.id)), ...current];
    });
    setIncoming([]);
    window.scrollTo({ top: 0 });
    listRef.current?.focus({ preventScroll: true });
  };

  const list = pipelines.data?.pipelines ?? [];
  const current = list.find((p) => (pipelineId ? p.id === pipelineId : p.isDefault));
  const fresh = incoming.filter((i) => !items.some((c) => c.id === i.id));

  return (
    <section class="timeline" aria-labelledby="timeline-title">
      <div class="toolbar">
        <h1 id="timeline-title">{current?.name ?? 'Timeline'}</h1>
        {list.length > 1 ? (
          <label class="inline">
            Pipeline{' '}
            <select
              name="pipeline"
              value={current?.id ?? ''}
              onChange={(e) =>
                navigate(href('timeline') + `?pipeline=${encodeURIComponent(e.currentTarget.value)}`)
              }
            >
              {list.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                  {p.isDefault ? ' (default)' : ''}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <button type="button" aria-expanded={composing} onClick={() => setComposing(!composing)}>
          {composing ? 'Close composer' : 'New post'}
        </button>
      </div>
      {composing ? <ComposeForm onClose={() => setComposing(false)} /> : null}
      <div class="live-banner" aria-live="polite">
        {fresh.length > 0 ? (
          <button type="button" class="new-posts" onClick={showIncoming}>
            Show {fresh.length} new {fresh.length === 1 ? 'post' : 'posts'}
          </button>
        ) : null}
        {rebuilt ? (
          <button type="button" class="new-posts" onClick={restart}>
            The pipeline changed: reload the timeline
          </button>
        ) : null}
      </div>
      {error ? (
        <p class="error" role="alert">
          Could not load the timeline: {error}
        </p>
      ) : null}
      {!loading && items.length === 0 && !error ? (
        <div class="empty card">
          <p>Nothing here yet.</p>
          <p>
            <a href={href('accounts')}>Link a Bluesky or Mastodon account</a> and its home timeline flows in;
            or <a href={href('pipelines')}>check what your pipeline hides</a>.
          </p>
        </div>
      ) : null}
      <ol class="items" ref={listRef} tabIndex={-1} aria-label="Posts" aria-busy={loading}>
        {items.map((item) => (
          <li key={item.id} data-entry-id={item.id}>
            <PostCard post={item.post} item={item} />
          </li>
        ))}
      </ol>
      {hasMore ? (
        <button type="button" class="more" disabled={loading} onClick={() => void load(cursor)}>
          {loading ? 'Loading…' : 'Load more'}
        </button>
      ) : items.length > 0 ? (
        <p class="end muted">That is everything for now.</p>
      ) : null}
    </section>
  );
}
