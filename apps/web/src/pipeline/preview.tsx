// What the draft would do to the member's newest posts, before it is saved: kept or hidden and why,
// and what changes against the saved version (newly hidden, shown again).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { PreviewPipelineQuery, ValidatePipelineQuery } from '../gql/graphql';
import { messageOf, request } from '../api/client';
import { PreviewPipeline, ValidatePipeline } from '../api/operations';
import { authorName, timeAgo } from '../format';
import type { PipelineSpec } from './spec';

/** Posts the preview runs over; the API allows 1 to 200. */
const PREVIEW_POSTS = 50;
/** Wait for the member to stop typing before asking. */
const DEBOUNCE_MS = 400;

/** A problem of the draft, named by its path (`stages[3].with.halfLifeHours`). */
export type SpecIssue = ValidatePipelineQuery['validatePipeline']['errors'][number];
type Item = PreviewPipelineQuery['previewPipeline'][number];
interface Preview {
  saved: Item[];
  draft: Item[];
}
type Change = 'hidden' | 'shown' | null;
type Filter = 'all' | 'hidden' | 'changed';

/**
 * The API runs one preview of a member's at a time: the saved version's is asked first (and kept
 * while the saved spec stays the same), then the draft's.
 */
export function usePreview(saved: PipelineSpec, draft: PipelineSpec) {
  const [result, setResult] = useState<Preview | null>(null);
  const savedPreview = useRef<{ key: string; items: Item[] } | null>(null);
  const [issues, setIssues] = useState<SpecIssue[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const key = JSON.stringify([saved, draft]);
  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    const timer = setTimeout(async () => {
      try {
        const { validatePipeline } = await request(ValidatePipeline, { spec: draft });
        if (cancelled) return;
        setIssues(validatePipeline.errors);
        if (!validatePipeline.valid) return;
        const savedKey = JSON.stringify(saved);
        if (savedPreview.current?.key !== savedKey) {
          const { previewPipeline } = await request(PreviewPipeline, { spec: saved, limit: PREVIEW_POSTS });
          savedPreview.current = { key: savedKey, items: previewPipeline };
        }
        const { previewPipeline } = await request(PreviewPipeline, { spec: draft, limit: PREVIEW_POSTS });
        if (cancelled) return;
        setResult({ saved: savedPreview.current.items, draft: previewPipeline });
        setError(null);
      } catch (e) {
        if (!cancelled) setError(messageOf(e));
      } finally {
        if (!cancelled) setLoading(false);
      }
    }, DEBOUNCE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [key]);
  return { result, issues, error, loading };
}

function changeOf(item: Item, savedHidden: Map<string, boolean>): Change {
  const before = savedHidden.get(item.post.id);
  if (before === undefined || before === item.hidden) return null;
  return item.hidden ? 'hidden' : 'shown';
}

export function PreviewPanel({ preview, dirty }: { preview: ReturnType<typeof usePreview>; dirty: boolean }) {
  const [filter, setFilter] = useState<Filter>('all');
  const { result, error, loading, issues } = preview;
  const savedHidden = new Map(result?.saved.map((i) => [i.post.id, i.hidden]) ?? []);
  const items = result?.draft ?? [];
  const changes = items.map((i) => changeOf(i, savedHidden));
  const hidden = items.filter((i) => i.hidden).length;
  const newlyHidden = changes.filter((c) => c === 'hidden').length;
  const shown = changes.filter((c) => c === 'shown').length;
  const visible = items
    .map((item, i) => ({ item, change: changes[i] ?? null }))
    .filter(({ item, change }) =>
      filter === 'hidden' ? item.hidden : filter === 'changed' ? change !== null : true,
    );

  return (
    <section class="preview card" aria-labelledby="preview-title" aria-busy={loading}>
      <h2 id="preview-title">Preview</h2>
      <p class="muted small">
        Your {PREVIEW_POSTS} newest posts, run through this version{dirty ? ' (not saved)' : ''}.
      </p>
      {issues.length > 0 ? (
        <p class="error" role="alert">
          Fix the problems marked in the stages to see the preview.
        </p>
      ) : null}
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {result ? (
        <>
          <p class="preview-summary" role="status">
            <strong>{items.length - hidden}</strong> kept, <strong>{hidden}</strong> hidden
            {dirty ? (
              <>
                {' '}
                · changes: <strong class="newly-hidden">{newlyHidden}</strong> newly hidden,{' '}
                <strong class="shown-again">{shown}</strong> shown again
              </>
            ) : null}
          </p>
          <div class="segmented" role="group" aria-label="Show in the preview">
            {(['all', 'hidden', 'changed'] as Filter[]).map((f) => (
              <button key={f} type="button" aria-pressed={filter === f} onClick={() => setFilter(f)}>
                {f === 'all' ? 'All' : f === 'hidden' ? 'Hidden' : 'Changes'}
              </button>
            ))}
          </div>
          <ol class="preview-items">
            {visible.map(({ item, change }) => (
              <li
                key={item.post.id}
                class={`preview-item${item.hidden ? ' is-hidden' : ''}${change ? ` change-${change}` : ''}`}
                data-post-id={item.post.id}
              >
                <p class="preview-status">
                  {change === 'hidden' ? <span class="badge change">Newly hidden</span> : null}
                  {change === 'shown' ? <span class="badge change">Shown again</span> : null}
                  {item.hidden ? (
                    <span class="verdict-hide">Hidden: {item.hiddenReason ?? 'no reason given'}</span>
                  ) : item.warnings.length > 0 ? (
                    <span class="verdict-warn">Behind a warning: {item.warnings.join(' · ')}</span>
                  ) : (
                    <span class="verdict-keep">Kept</span>
                  )}
                </p>
                <p class="preview-text">
                  <strong>{authorName(item.post.author)}</strong>{' '}
                  <span class="muted">· {timeAgo(item.post.createdAt)}</span>
                  <br />
                  <span class="preview-post-text">
                    {item.post.text.length > 200
                      ? `${item.post.text.slice(0, 200)}…`
                      : item.post.text || '(no text)'}
                  </span>
                </p>
                {item.decisions.length > 0 ? (
                  <details>
                    <summary>Every stage's verdict</summary>
                    <ul>
                      {item.decisions.map((d, i) => (
                        <li key={i}>
                          <code>{d.stage}</code> {d.verdict.toLowerCase()}
                          {d.reason ? ` — ${d.reason}` : ''}
                          {d.score ? ` (${d.score > 0 ? '+' : ''}${d.score.toFixed(2)})` : ''}
                        </li>
                      ))}
                    </ul>
                  </details>
                ) : null}
              </li>
            ))}
          </ol>
          {visible.length === 0 ? <p class="muted">Nothing to show here.</p> : null}
        </>
      ) : loading ? (
        <p>Running the preview…</p>
      ) : null}
    </section>
  );
}
