// Someone's profile as their network shows it to the member's linked account there: who they are,
// how the account stands with them, following and muting them (performed on their network), and
// their posts and reposts, newest first.
import { useState } from 'preact/hooks';
import type { ActionFieldsFragment, ProfileFieldsFragment } from '../gql/graphql';
import { messageOf, request } from '../api/client';
import { AuthorPosts, AuthorProfile, Follow, Mute, Unfollow, Unmute } from '../api/operations';
import { settled } from '../api/settle';
import { useQuery } from '../api/use-query';
import { Avatar } from '../components/avatar';
import { PostCard } from '../components/post-card';
import type { PostFieldsFragment } from '../gql/graphql';
import { NETWORK_NAMES, authorName, safeUrl } from '../format';

type Change = 'follow' | 'unfollow' | 'mute' | 'unmute';

/** An author's networkId (a DID, an ActivityPub account URI) rather than a handle. */
export function isNetworkId(actor: string): boolean {
  return actor.startsWith('did:') || /^https?:\/\//.test(actor);
}

async function perform(change: Change, profile: ProfileFieldsFragment): Promise<ActionFieldsFragment> {
  const variables = { author: profile.networkId, account: profile.linkedAccountId };
  switch (change) {
    case 'follow':
      return (await request(Follow, variables)).follow;
    case 'unfollow':
      return (await request(Unfollow, variables)).unfollow;
    case 'mute':
      return (await request(Mute, variables)).mute;
    case 'unmute':
      return (await request(Unmute, variables)).unmute;
  }
}

const PENDING_LABEL: Record<Change, string> = {
  follow: 'Following…',
  unfollow: 'Unfollowing…',
  mute: 'Muting…',
  unmute: 'Unmuting…',
};

function count(value: number | null | undefined, one: string, many: string) {
  if (value === null || value === undefined) return null;
  return (
    <li>
      <strong>{value.toLocaleString()}</strong> {value === 1 ? one : many}
    </li>
  );
}

function ProfileCard({ profile }: { profile: ProfileFieldsFragment }) {
  // What the network accepted since the profile was read (its own view may lag behind a moment).
  const [changed, setChanged] = useState<{ following?: boolean; muted?: boolean }>({});
  const [pending, setPending] = useState<Change | null>(null);
  const [error, setError] = useState<string | null>(null);
  const relationship = { ...profile.relationship, ...changed };
  const name = authorName(profile);
  const web = safeUrl(profile.webUrl);
  const banner = safeUrl(profile.bannerUrl);
  const network = NETWORK_NAMES[profile.network];

  const act = async (change: Change) => {
    setPending(change);
    setError(null);
    try {
      const outcome = await settled(await perform(change, profile));
      if (outcome.status === 'FAILED') throw new Error(outcome.error ?? 'the network refused it');
      setChanged((current) =>
        change === 'follow' || change === 'unfollow'
          ? { ...current, following: change === 'follow' }
          : { ...current, muted: change === 'mute' },
      );
    } catch (e) {
      setError(`${change[0]!.toUpperCase()}${change.slice(1)} failed: ${messageOf(e)}`);
    } finally {
      setPending(null);
    }
  };

  return (
    <div class="card profile-card" data-network={profile.network}>
      {banner ? <img class="profile-banner" src={banner} alt="" /> : null}
      <div class="profile-head">
        <Avatar url={profile.avatarUrl} name={name} size="lg" />
        <div class="grow">
          <h1 id="profile-title">{name}</h1>
          <p class="muted handle">
            @{profile.handle} <span class="badge">{network}</span>
            {profile.bot ? <span class="badge">bot</span> : null}
          </p>
        </div>
      </div>
      <p class="row relationship">
        {relationship.following ? <span class="badge status-active">Following</span> : null}
        {relationship.followedBy ? <span class="badge">Follows you</span> : null}
        {relationship.muted ? <span class="badge status-error">Muted</span> : null}
        {relationship.blocked ? <span class="badge status-error">Blocked</span> : null}
        {relationship.blockedBy ? <span class="badge status-error">Blocks you</span> : null}
      </p>
      {profile.bio ? <p class="bio">{profile.bio}</p> : null}
      <ul class="counts">
        {count(profile.postsCount, 'post', 'posts')}
        {count(profile.followersCount, 'follower', 'followers')}
        {count(profile.followingCount, 'following', 'following')}
      </ul>
      <div class="row profile-actions">
        <button
          type="button"
          class={relationship.following ? 'secondary' : undefined}
          disabled={pending !== null || relationship.blocked || relationship.blockedBy}
          onClick={() => void act(relationship.following ? 'unfollow' : 'follow')}
        >
          {relationship.following ? 'Unfollow' : 'Follow'}
          <span class="visually-hidden"> {name}</span>
        </button>
        <button
          type="button"
          class="secondary"
          disabled={pending !== null}
          onClick={() => void act(relationship.muted ? 'unmute' : 'mute')}
        >
          {relationship.muted ? 'Unmute' : 'Mute'}
          <span class="visually-hidden"> {name}</span>
        </button>
        {web ? (
          <a class="button secondary" href={web} target="_blank" rel="noopener noreferrer">
            Open on {network}
          </a>
        ) : null}
        <span
          class="action-status"
          role="status"
          data-state={pending ? 'pending' : error ? 'failed' : 'done'}
        >
          {pending ? PENDING_LABEL[pending] : ''}
        </span>
      </div>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <p class="muted small">
        Muting hides them on {network} itself; to hide them only in a Tributary timeline, add them to a
        pipeline's muted authors.
      </p>
    </div>
  );
}

interface AuthorItem {
  post: PostFieldsFragment;
  repost: boolean;
}

function AuthorPostList({ profile }: { profile: ProfileFieldsFragment }) {
  const first = useQuery(AuthorPosts, { author: profile.networkId, account: profile.linkedAccountId });
  const [older, setOlder] = useState<AuthorItem[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const next = cursor === undefined ? first.data?.authorPosts.nextCursor : cursor;
  const items = [...(first.data?.authorPosts.items ?? []), ...older];

  const loadOlder = async () => {
    if (!next) return;
    setLoading(true);
    setError(null);
    try {
      const { authorPosts } = await request(AuthorPosts, {
        author: profile.networkId,
        account: profile.linkedAccountId,
        after: next,
      });
      setOlder((current) => [...current, ...authorPosts.items]);
      setCursor(authorPosts.nextCursor ?? null);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setLoading(false);
    }
  };

  const name = authorName(profile);
  return (
    <section aria-labelledby="author-posts-title">
      <h2 id="author-posts-title">Posts and reposts</h2>
      {first.error || error ? (
        <p class="error" role="alert">
          Could not load {name}'s posts: {first.error ?? error}
        </p>
      ) : null}
      {first.loading && !first.data ? <p aria-busy="true">Loading {name}'s posts…</p> : null}
      {first.data && items.length === 0 ? <p class="muted">No posts yet.</p> : null}
      <ol class="items" aria-label={`${name}'s posts`}>
        {items.map(({ post, repost }) => (
          <li key={`${repost ? 'repost' : 'post'}-${post.id}`}>
            <PostCard post={post} repostedBy={repost ? profile : undefined} />
          </li>
        ))}
      </ol>
      {next ? (
        <button type="button" class="more" disabled={loading} onClick={() => void loadOlder()}>
          {loading ? 'Loading…' : 'Older posts'}
        </button>
      ) : null}
    </section>
  );
}

export function ProfileScreen({ actor }: { actor: string }) {
  const byId = isNetworkId(actor);
  const { data, error, loading } = useQuery(AuthorProfile, {
    id: byId ? actor : null,
    handle: byId ? null : actor,
  });
  return (
    <section class="profile" aria-labelledby="profile-title">
      <div class="toolbar">
        <button type="button" class="secondary" onClick={() => history.back()}>
          Back
        </button>
      </div>
      {error ? (
        <>
          <h1 id="profile-title">Profile</h1>
          <p class="error" role="alert">
            Could not read this profile: {error}
          </p>
        </>
      ) : null}
      {loading && !data ? (
        <p aria-busy="true" id="profile-title">
          Loading the profile…
        </p>
      ) : null}
      {data ? (
        <>
          {/* Keyed by the person, so another profile starts afresh; siblings need keys of their own. */}
          <ProfileCard key={`card ${data.author.networkId}`} profile={data.author} />
          <AuthorPostList key={`posts ${data.author.networkId}`} profile={data.author} />
        </>
      ) : null}
    </section>
  );
}
