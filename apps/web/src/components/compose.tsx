// Writing: a new post (cross-posted to the networks the member picks, with images and their
// descriptions) and a reply to a post. The worker sends them; each network's action reports back.
import { useEffect, useState } from 'preact/hooks';
import type { ActionFieldsFragment, Network, PostFieldsFragment } from '../gql/graphql';
import { messageOf, request } from '../api/client';
import { subscribe } from '../api/live';
import { ActionUpdated, CreatePost, LinkedAccounts, Reply } from '../api/operations';
import { useQuery } from '../api/use-query';
import { NETWORK_NAMES, authorName, safeUrl } from '../format';

interface Attachment {
  file: File;
  preview: string;
  alt: string;
}

/** Bluesky takes at most 4 images of 1 MB each; the API checks every network's limits too. */
const MAX_IMAGES = 4;

function base64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.readAsDataURL(file);
  });
}

/** Follows the actions a post or reply created until each network answered. */
function useActionOutcomes(
  initial: ActionFieldsFragment[],
): [ActionFieldsFragment[], (a: ActionFieldsFragment[]) => void] {
  const [actions, setActions] = useState(initial);
  useEffect(() => {
    if (actions.length === 0) return;
    return subscribe(ActionUpdated, {}, ({ actionUpdated }) =>
      setActions((current) => current.map((a) => (a.id === actionUpdated.id ? actionUpdated : a))),
    );
  }, [actions.length > 0]);
  return [actions, setActions];
}

function Outcomes({ actions }: { actions: ActionFieldsFragment[] }) {
  if (actions.length === 0) return null;
  return (
    <ul class="outcomes" aria-live="polite">
      {actions.map((a) => {
        const link = safeUrl(a.resultWebUrl);
        return (
          <li key={a.id} data-network={a.network} data-status={a.status}>
            {NETWORK_NAMES[a.network]}:{' '}
            {a.status === 'PENDING'
              ? 'sending…'
              : a.status === 'DONE'
                ? 'posted ✓'
                : `failed — ${a.error ?? 'unknown error'}`}
            {link ? (
              <>
                {' '}
                <a href={link} target="_blank" rel="noopener noreferrer">
                  open
                </a>
              </>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

export function ComposeForm({ onClose }: { onClose?: () => void }) {
  const accounts = useQuery(LinkedAccounts, {});
  const linked = [...new Set(accounts.data?.linkedAccounts.map((a) => a.network) ?? [])];
  const [text, setText] = useState('');
  const [warning, setWarning] = useState('');
  const [networks, setNetworks] = useState<Network[] | null>(null);
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [actions, setActions] = useActionOutcomes([]);
  const chosen = networks ?? linked;

  const addFiles = (files: FileList | null) => {
    const images = [...(files ?? [])].filter((f) => f.type.startsWith('image/'));
    setAttachments((current) =>
      [...current, ...images.map((file) => ({ file, preview: URL.createObjectURL(file), alt: '' }))].slice(
        0,
        MAX_IMAGES,
      ),
    );
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setSending(true);
    try {
      const media = await Promise.all(
        attachments.map(async (a) => ({
          data: await base64(a.file),
          mimeType: a.file.type,
          altText: a.alt || null,
        })),
      );
      const { createPost } = await request(CreatePost, {
        input: {
          text,
          crossPostTo: chosen,
          contentWarning: warning.trim() || null,
          media: media.length ? media : null,
        },
      });
      setActions(createPost);
      setText('');
      setWarning('');
      attachments.forEach((a) => URL.revokeObjectURL(a.preview));
      setAttachments([]);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setSending(false);
    }
  };

  return (
    <form class="compose card" onSubmit={submit} aria-labelledby="compose-title">
      <h2 id="compose-title">New post</h2>
      <label>
        What's on your mind?
        <textarea
          name="text"
          rows={4}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          required
        />
      </label>
      <details class="compose-cw">
        <summary>Content warning</summary>
        <label>
          Warning shown before the post (Mastodon only)
          <input name="contentWarning" value={warning} onInput={(e) => setWarning(e.currentTarget.value)} />
        </label>
      </details>
      <fieldset>
        <legend>Post to</legend>
        {linked.length === 0 ? <p class="muted">Link an account first (Accounts).</p> : null}
        {linked.map((n) => (
          <label class="inline" key={n}>
            <input
              type="checkbox"
              name="network"
              value={n}
              checked={chosen.includes(n)}
              onChange={(e) =>
                setNetworks(e.currentTarget.checked ? [...chosen, n] : chosen.filter((c) => c !== n))
              }
            />{' '}
            {NETWORK_NAMES[n]}
          </label>
        ))}
      </fieldset>
      <label>
        Images (up to {MAX_IMAGES})
        <input
          type="file"
          name="media"
          accept="image/png,image/jpeg,image/gif,image/webp"
          multiple
          disabled={attachments.length >= MAX_IMAGES}
          onChange={(e) => {
            addFiles(e.currentTarget.files);
            e.currentTarget.value = '';
          }}
        />
      </label>
      {attachments.length > 0 ? (
        <ul class="attachments">
          {attachments.map((a, i) => (
            <li key={a.preview}>
              <img src={a.preview} alt={a.alt || `Image ${i + 1}, not described yet`} />
              <label>
                Description of image {i + 1} (alt text)
                <textarea
                  name={`alt-${i}`}
                  rows={2}
                  value={a.alt}
                  onInput={(e) => {
                    const alt = e.currentTarget.value;
                    setAttachments((current) => current.map((c, j) => (j === i ? { ...c, alt } : c)));
                  }}
                />
              </label>
              <button
                type="button"
                class="secondary"
                onClick={() => {
                  URL.revokeObjectURL(a.preview);
                  setAttachments((current) => current.filter((_, j) => j !== i));
                }}
              >
                Remove image {i + 1}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <div class="row">
        <button type="submit" disabled={sending || chosen.length === 0 || text.trim() === ''}>
          {sending ? 'Sending…' : chosen.length > 1 ? 'Cross-post' : 'Post'}
        </button>
        {onClose ? (
          <button type="button" class="secondary" onClick={onClose}>
            Close
          </button>
        ) : null}
      </div>
      <Outcomes actions={actions} />
    </form>
  );
}

export function ReplyForm({ post, onDone }: { post: PostFieldsFragment; onDone: () => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [actions, setActions] = useActionOutcomes([]);
  const submit = async (event: Event) => {
    event.preventDefault();
    setSending(true);
    setError(null);
    try {
      const { reply } = await request(Reply, { post: post.id, text, contentWarning: null });
      setActions([reply]);
      setText('');
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setSending(false);
    }
  };
  return (
    <form class="reply-form" onSubmit={submit}>
      <label>
        Reply to {authorName(post.author)} on {NETWORK_NAMES[post.network]}
        <textarea rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} required />
      </label>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <div class="row">
        <button type="submit" disabled={sending || text.trim() === ''}>
          {sending ? 'Sending…' : 'Send reply'}
        </button>
        <button type="button" class="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
      <Outcomes actions={actions} />
    </form>
  );
}
