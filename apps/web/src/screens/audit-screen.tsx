// Everything a pipeline hid, newest first, each with the reason and the stage that decided it.
import { useEffect, useState } from 'preact/hooks';
import type { ItemFieldsFragment } from '../gql/graphql';
import { messageOf, request } from '../api/client';
import { Pipelines, Timeline } from '../api/operations';
import { useQuery } from '../api/use-query';
import { authorName, fullDate, timeAgo } from '../format';
import { href, navigate } from '../router';

/** Hidden items are read from the timeline with includeHidden, a page of this many entries at a time. */
const PAGE = 50;

export function AuditScreen({ pipelineId }: { pipelineId: string | null }) {
  const pipelines = useQuery(Pipelines, {});
  const [items, setItems] = useState<ItemFieldsFragment[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const current = pipelines.data?.pipelines.find((p) => (pipelineId ? p.id === pipelineId : p.isDefault));

  const load = async (after: string | null) => {
    setLoading(true);
    setError(null);
    try {
      const { timeline } = await request(Timeline, {
        pipeline: pipelineId,
        after,
        includeHidden: true,
        first: PAGE,
      });
      const hidden = timeline.edges.map((e) => e.node).filter((n) => n.hidden);
      setItems((list) => [...(after ? list : []), ...hidden]);
      setCursor(timeline.pageInfo.endCursor ?? after);
      setHasMore(timeline.pageInfo.hasNextPage);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => void load(null), [pipelineId]);

  return (
    <section aria-labelledby="audit-title">
      <div class="toolbar">
        <h1 id="audit-title">Hidden by {current?.name ?? 'your pipeline'}</h1>
        {(pipelines.data?.pipelines.length ?? 0) > 1 ? (
          <label class="inline">
            Pipeline{' '}
            <select
              value={current?.id ?? ''}
              onChange={(e) =>
                navigate(`${href('audit')}?pipeline=${encodeURIComponent(e.currentTarget.value)}`)
              }
            >
              {pipelines.data!.pipelines.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </div>
      <p class="muted">
        Nothing is deleted: these posts stay out of your timeline because of the reason shown. Change it in{' '}
        <a href={current ? href('pipelines', current.id) : href('pipelines')}>the pipeline editor</a>.
      </p>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <table class="audit">
        <caption class="visually-hidden">Hidden posts and why</caption>
        <thead>
          <tr>
            <th scope="col">Post</th>
            <th scope="col">Why hidden</th>
            <th scope="col">When</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => {
            const decider = item.decisions.find((d) => d.verdict === 'HIDE' || d.verdict === 'MERGE');
            return (
              <tr key={item.id} data-post-id={item.post.id}>
                <td>
                  <strong>{authorName(item.post.author)}</strong>{' '}
                  <span class="muted">@{item.post.author.handle}</span>
                  {item.reason ? <span class="muted"> · reposted by @{item.reason.by.handle}</span> : null}
                  <br />
                  <span class="audit-text">
                    {item.post.text.length > 240 ? `${item.post.text.slice(0, 240)}…` : item.post.text}
                  </span>{' '}
                  <a href={href('thread', item.post.id)}>open</a>
                </td>
                <td class="audit-reason">
                  {item.hiddenReason ?? 'no reason given'}
                  {decider ? <span class="muted small"> ({decider.stage})</span> : null}
                </td>
                <td>
                  <time dateTime={item.post.createdAt} title={fullDate(item.post.createdAt)}>
                    {timeAgo(item.post.createdAt)}
                  </time>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {!loading && items.length === 0 && !error ? (
        <p>Nothing hidden{hasMore ? ' on this page' : ''}.</p>
      ) : null}
      {hasMore ? (
        <button type="button" class="more" disabled={loading} onClick={() => void load(cursor)}>
          {loading ? 'Loading…' : 'Look further back'}
        </button>
      ) : null}
    </section>
  );
}
