// One post as a reader sees it: who, when, on which network, why it is here (repost, reply, the
// pipeline's decisions), its text behind its content warning, media with alt text, link card, quote
// and poll, and what the member can do with it.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { DecisionFieldsFragment, ItemFieldsFragment, PostFieldsFragment } from '../gql/graphql';
import { toggle, usePostActions } from '../api/viewer-actions';
import { href } from '../router';
import { NETWORK_NAMES, authorName, fullDate, safeUrl, timeAgo } from '../format';
import { Avatar } from './avatar';
import { RichText } from './rich-text';
import { ReplyForm } from './compose';

type Media = PostFieldsFragment['media'][number];

/** Why the network does not show a quoted post (`Post.quoteUnavailable.reason`). */
const QUOTE_UNAVAILABLE: Record<string, string> = {
  'not-found': 'The quoted post was deleted.',
  blocked: 'The quoted post is not shown: one of the authors blocked the other.',
  detached: 'The quoted post was detached by its author.',
};
type Card = NonNullable<PostFieldsFragment['linkCard']>;
type Quote = NonNullable<PostFieldsFragment['quote']>;

function MediaGrid({ media, webUrl }: { media: Media[]; webUrl: string | null }) {
  if (media.length === 0) return null;
  return (
    <ul class={`media media-${Math.min(media.length, 4)}`}>
      {media.map((m, i) => (
        <MediaItem key={i} media={m} webUrl={webUrl} />
      ))}
    </ul>
  );
}

function MediaItem({ media: m, webUrl }: { media: Media; webUrl: string | null }) {
  // A preview that does not load (its server gone, or the link expired) shows as the same text
  // link as media without a preview, not as the browser's broken image with its alt text.
  const [broken, setBroken] = useState(false);
  const full = safeUrl(m.url);
  const preview = safeUrl(m.previewUrl) ?? (m.type === 'IMAGE' || m.type === 'GIFV' ? full : null);
  const alt = m.altText?.trim() ?? '';
  const playable = m.type === 'VIDEO' || m.type === 'GIFV' || m.type === 'AUDIO';
  const target = playable ? (safeUrl(webUrl) ?? full) : full;
  return (
    <li class="media-item">
      {preview && !broken ? (
        <a href={target ?? undefined} target="_blank" rel="noopener noreferrer">
          <img
            src={preview}
            alt={alt || `${m.type.toLowerCase()} without a description`}
            width={m.width ?? undefined}
            height={m.height ?? undefined}
            loading="lazy"
            onError={() => setBroken(true)}
          />
          {playable ? <span class="media-badge">{m.type === 'AUDIO' ? 'Audio' : 'Video'}</span> : null}
        </a>
      ) : (
        <a class="media-missing" href={target ?? undefined} target="_blank" rel="noopener noreferrer">
          {m.type.toLowerCase()}: {alt || 'no description'}
        </a>
      )}
      {alt ? (
        <details class="alt">
          <summary>ALT</summary>
          <p>{alt}</p>
        </details>
      ) : null}
    </li>
  );
}

function LinkCardView({ card }: { card: Card }) {
  const url = safeUrl(card.url);
  const image = safeUrl(card.imageUrl);
  if (!url) return null;
  return (
    <a class="link-card" href={url} target="_blank" rel="noopener noreferrer nofollow">
      {image ? <img src={image} alt="" loading="lazy" /> : null}
      <span class="link-card-body">
        <strong>{card.title || url}</strong>
        {card.description ? <span>{card.description}</span> : null}
        <span class="muted">{new URL(url).host}</span>
      </span>
    </a>
  );
}

function QuoteView({ quote }: { quote: Quote }) {
  const url = safeUrl(quote.webUrl);
  return (
    <blockquote class="quote" cite={url ?? undefined}>
      <p class="post-meta">
        <Avatar url={quote.author.avatarUrl} name={authorName(quote.author)} size="sm" />
        <AuthorLink author={quote.author} />
        {url ? (
          <a class="muted" href={url} target="_blank" rel="noopener noreferrer">
            <time dateTime={quote.createdAt} title={fullDate(quote.createdAt)}>
              {timeAgo(quote.createdAt)}
            </time>
          </a>
        ) : null}
      </p>
      <Warned warning={quote.contentWarning}>
        <p class="post-text">{quote.text}</p>
        <MediaGrid media={quote.media} webUrl={quote.webUrl} />
        {quote.linkCard ? <LinkCardView card={quote.linkCard} /> : null}
      </Warned>
    </blockquote>
  );
}

type AuthorRef = Pick<PostFieldsFragment['author'], 'displayName' | 'handle' | 'networkId'>;

/** The author's name and handle, opening their profile in the app. */
function AuthorLink({ author }: { author: AuthorRef }) {
  return (
    <a class="author-link" href={href('profile', author.networkId)}>
      <strong>{authorName(author)}</strong> <span class="muted handle">@{author.handle}</span>
    </a>
  );
}

/** Content behind a warning stays closed until the reader opens it. */
function Warned({ warning, children }: { warning: string | null; children: ComponentChildren }) {
  if (!warning) return <>{children}</>;
  return (
    <details class="content-warning">
      <summary>
        <span class="cw-label">Content warning:</span> {warning} <span class="cw-show">Show</span>
      </summary>
      {children}
    </details>
  );
}

function RepostedBy({ by }: { by: AuthorRef }) {
  return (
    <p class="context reposted-by">
      <span aria-hidden="true">⟲</span> Reposted by{' '}
      <a href={href('profile', by.networkId)}>
        {authorName(by)} (@{by.handle})
      </a>
    </p>
  );
}

function Decisions({ decisions }: { decisions: DecisionFieldsFragment[] }) {
  if (decisions.length === 0) return <p>No pipeline stage had anything to say about it.</p>;
  return (
    <ul>
      {decisions.map((d, i) => (
        <li key={i} class={`decision verdict-${d.verdict.toLowerCase()}`}>
          <code>{d.stage}</code> {d.verdict.toLowerCase()}
          {d.reason ? ` — ${d.reason}` : ''}
          {d.score ? ` (${d.score > 0 ? '+' : ''}${d.score.toFixed(2)})` : ''}
        </li>
      ))}
    </ul>
  );
}

function Actions({ post, onReplied }: { post: PostFieldsFragment; onReplied?: () => void }) {
  const state = usePostActions(post.id);
  const [replying, setReplying] = useState(false);
  // The counts are the network's when the post was read; the member's own like is at least one.
  const likes = Math.max(post.counts.likes + state.likeDelta, state.liked ? 1 : 0);
  const reposts = Math.max(post.counts.reposts + state.repostDelta, state.reposted ? 1 : 0);
  const name = authorName(post.author);
  return (
    <>
      <div class="post-actions">
        <button
          type="button"
          class="action reply"
          aria-expanded={replying}
          onClick={() => setReplying(!replying)}
        >
          <span aria-hidden="true">↩</span> Reply <span class="count">{post.counts.replies}</span>
        </button>
        <button
          type="button"
          class="action repost"
          aria-pressed={state.reposted}
          onClick={() => void toggle('repost', post.id)}
        >
          <span aria-hidden="true">⟲</span> {state.reposted ? 'Reposted' : 'Repost'}{' '}
          <span class="count">{reposts}</span>
        </button>
        <button
          type="button"
          class="action like"
          aria-pressed={state.liked}
          onClick={() => void toggle('like', post.id)}
        >
          <span aria-hidden="true">{state.liked ? '♥' : '♡'}</span> {state.liked ? 'Liked' : 'Like'}{' '}
          <span class="count">{likes}</span>
        </button>
        <a class="action" href={href('thread', post.id)}>
          Thread<span class="visually-hidden"> of {name}'s post</span>
        </a>
        <span
          class="action-status"
          role="status"
          data-state={state.error ? 'failed' : state.pending ? 'pending' : 'done'}
        >
          {state.error ?? (state.pending ? 'Sending…' : '')}
        </span>
      </div>
      {replying ? (
        <ReplyForm
          post={post}
          onDone={() => {
            setReplying(false);
            onReplied?.();
          }}
        />
      ) : null}
    </>
  );
}

export interface PostCardProps {
  post: PostFieldsFragment;
  /** The timeline item the post is shown as: repost reason, decisions, warnings. */
  item?: ItemFieldsFragment;
  /** The thread's focused post. */
  focused?: boolean;
  /** Shown on someone's profile as their repost (a timeline item says so in `item.reason`). */
  repostedBy?: AuthorRef;
  onReplied?: () => void;
}

export function PostCard({ post, item, focused, repostedBy, onReplied }: PostCardProps) {
  const web = safeUrl(post.webUrl);
  const networks = new Set([post.network, ...(item?.seenIn.map((s) => s.network) ?? [])]);
  // The pipeline's own "content warning: <the post's warning>" would say it twice.
  const warnings =
    item?.warnings
      .filter((w) => w.startsWith('warn: '))
      .map((w) => w.slice(6))
      .filter((w) => w !== `content warning: ${post.contentWarning?.trim().slice(0, 100)}`) ?? [];
  const blurs = item?.warnings.filter((w) => w.startsWith('blur: ')).map((w) => w.slice(6)) ?? [];
  const warning = [post.contentWarning, ...warnings].filter(Boolean).join(' · ') || null;
  const name = authorName(post.author);
  const media = <MediaGrid media={post.media} webUrl={post.webUrl} />;
  return (
    <article
      class={`post${item?.hidden ? ' is-hidden' : ''}${focused ? ' is-focused' : ''}`}
      data-post-id={post.id}
      aria-label={`${name}: ${post.text.slice(0, 80)}`}
    >
      {item?.reason || repostedBy ? <RepostedBy by={(item?.reason?.by ?? repostedBy)!} /> : null}
      {post.replyParent ? (
        <p class="context reply-context">
          <span aria-hidden="true">↩</span>{' '}
          <a href={href('thread', post.id)} title={post.replyParent.text ?? undefined}>
            Replying to{' '}
            {post.replyParent.authorNetworkId === post.author.networkId
              ? 'themselves'
              : post.replyParent.authorHandle
                ? `@${post.replyParent.authorHandle}`
                : 'a post'}
          </a>
        </p>
      ) : null}
      <header class="post-meta">
        <Avatar url={post.author.avatarUrl} name={name} />
        <span class="author">
          <AuthorLink author={post.author} />
          {post.author.bot ? <span class="badge">bot</span> : null}
        </span>
        <span class="network badge">{[...networks].map((n) => NETWORK_NAMES[n]).join(' + ')}</span>
        {web ? (
          <a
            class="muted"
            href={web}
            target="_blank"
            rel="noopener noreferrer"
            title={fullDate(post.createdAt)}
          >
            <time dateTime={post.createdAt}>{timeAgo(post.createdAt)}</time>
          </a>
        ) : (
          <time class="muted" dateTime={post.createdAt} title={fullDate(post.createdAt)}>
            {timeAgo(post.createdAt)}
          </time>
        )}
      </header>
      <Warned warning={warning}>
        <RichText segments={post.richText} text={post.text} own />
        {blurs.length > 0 && post.media.length > 0 ? (
          <details class="blurred">
            <summary>Media hidden: {blurs.join(' · ')} — show</summary>
            {media}
          </details>
        ) : (
          media
        )}
        {post.linkCard ? <LinkCardView card={post.linkCard} /> : null}
        {post.quote ? <QuoteView quote={post.quote} /> : null}
        {post.quoteUnavailable ? (
          <p class="quote quote-unavailable muted">
            {QUOTE_UNAVAILABLE[post.quoteUnavailable.reason] ?? 'The quoted post is not available.'}
          </p>
        ) : null}
        {post.poll ? (
          <ul class="poll" aria-label="Poll">
            {post.poll.options.map((o, i) => (
              <li key={i}>
                {o.title}
                {o.votes !== null ? <span class="muted"> — {o.votes} votes</span> : null}
              </li>
            ))}
            <li class="muted">
              {post.poll.expired ? 'Closed' : 'Open'} · {post.poll.votes} votes
            </li>
          </ul>
        ) : null}
      </Warned>
      {item?.hidden ? <p class="hidden-reason">Hidden: {item.hiddenReason ?? 'no reason given'}</p> : null}
      <Actions post={post} onReplied={onReplied} />
      {item ? (
        <details class="why">
          <summary>Why am I seeing this?</summary>
          {item.reason ? <p>Reposted by @{item.reason.by.handle}</p> : null}
          <p>Seen on {[...networks].map((n) => NETWORK_NAMES[n]).join(' and ')}</p>
          <Decisions decisions={item.decisions} />
        </details>
      ) : null}
    </article>
  );
}
