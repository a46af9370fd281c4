// A post with its conversation: ancestors above, replies below (indented by depth), as the post's
// own network shows it to the member's linked account.
import { Thread } from '../api/operations';
import { useQuery } from '../api/use-query';
import { PostCard } from '../components/post-card';

export function ThreadScreen({ postId }: { postId: string }) {
  const { data, error, loading, reload } = useQuery(Thread, { id: postId });
  return (
    <section class="thread" aria-labelledby="thread-title">
      <div class="toolbar">
        <h1 id="thread-title">Thread</h1>
        <button type="button" class="secondary" onClick={() => history.back()}>
          Back
        </button>
      </div>
      {error ? (
        <p class="error" role="alert">
          Could not load the thread: {error}
        </p>
      ) : null}
      {loading && !data ? <p aria-busy="true">Loading the conversation…</p> : null}
      {data ? (
        <>
          {data.thread.stale ? (
            <p class="notice" role="status">
              The network could not be reached; this is the conversation as last fetched
              {data.thread.staleReason ? ` (${data.thread.staleReason})` : ''}.
            </p>
          ) : null}
          <ol class="thread-list" aria-label="Conversation">
            {data.thread.ancestors.map((post) => (
              <li key={post.id} class="ancestor">
                <PostCard post={post} />
              </li>
            ))}
            <li class="focus" aria-current="true">
              <PostCard post={data.thread.post} focused onReplied={() => void reload()} />
            </li>
            {data.thread.replies.map((reply) => (
              <li key={reply.post.id} class={`reply depth-${Math.min(reply.depth, 4)}`}>
                <PostCard post={reply.post} />
              </li>
            ))}
          </ol>
          {data.thread.replies.length === 0 ? <p class="muted">No replies yet.</p> : null}
        </>
      ) : null}
    </section>
  );
}
