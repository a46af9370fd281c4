// What happened to the member on both networks, grouped ("alice and 3 others liked your post"),
// newest first; new ones arrive live, and reading them marks them read (on the networks too).
import { useEffect, useState } from 'preact/hooks';
import type { NotificationGroupsQuery, NotificationKind } from '../gql/graphql';
import { messageOf, request } from '../api/client';
import { subscribe } from '../api/live';
import {
  MarkNotificationsRead,
  NotificationGroups,
  NotificationReceived,
  UnreadNotificationCount,
} from '../api/operations';
import { Avatar } from '../components/avatar';
import { NETWORK_NAMES, authorName, fullDate, timeAgo } from '../format';
import { href } from '../router';

type Group = NotificationGroupsQuery['notificationGroups']['edges'][number]['node'];

const VERBS: Record<NotificationKind, string> = {
  LIKE: 'liked your post',
  REPOST: 'reposted your post',
  QUOTE: 'quoted your post',
  REPLY: 'replied to your post',
  MENTION: 'mentioned you',
  FOLLOW: 'followed you',
  FOLLOW_REQUEST: 'asked to follow you',
  POLL_ENDED: 'a poll ended',
  POST: 'posted',
  EDIT: 'edited a post you reposted',
};

/** Who did it: the latest one's name (opening their profile), and how many others. */
function Who({ group }: { group: Group }) {
  const [first] = group.actors;
  if (!first) return <strong>Someone</strong>;
  const others = group.count - 1;
  return (
    <strong>
      <a class="actor" href={href('profile', first.networkId)}>
        {authorName(first)}
      </a>
      {others > 0 ? ` and ${others} ${others === 1 ? 'other' : 'others'}` : ''}
    </strong>
  );
}

/** The unread count for the navigation, kept current by the live subscription. */
export function useUnreadNotifications(): number {
  const [count, setCount] = useState(0);
  useEffect(() => {
    const refresh = () =>
      void request(UnreadNotificationCount)
        .then((r) => setCount(r.unreadNotificationCount))
        .catch(() => {});
    refresh();
    window.addEventListener('tributary:notifications-read', refresh);
    const stop = subscribe(NotificationReceived, {}, refresh);
    return () => {
      stop();
      window.removeEventListener('tributary:notifications-read', refresh);
    };
  }, []);
  return count;
}

export function NotificationsScreen() {
  const [groups, setGroups] = useState<Group[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [unread, setUnread] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = async (after: string | null) => {
    setLoading(true);
    setError(null);
    try {
      const { notificationGroups, unreadNotificationCount } = await request(NotificationGroups, { after });
      const page = notificationGroups.edges.map((e) => e.node);
      setGroups((current) => [...(after ? current : []), ...page]);
      setCursor(notificationGroups.pageInfo.endCursor ?? after);
      setHasMore(notificationGroups.pageInfo.hasNextPage);
      setUnread(unreadNotificationCount);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load(null);
    return subscribe(NotificationReceived, {}, () => void load(null));
  }, []);

  const markRead = async () => {
    const newest = groups[0];
    if (!newest) return;
    try {
      setUnread(
        await request(MarkNotificationsRead, { upTo: newest.latestId }).then((r) => r.markNotificationsRead),
      );
      setGroups((current) => current.map((g) => ({ ...g, read: true })));
      window.dispatchEvent(new Event('tributary:notifications-read'));
    } catch (e) {
      setError(messageOf(e));
    }
  };

  return (
    <section aria-labelledby="notifications-title">
      <div class="toolbar">
        <h1 id="notifications-title">Notifications</h1>
        <button type="button" class="secondary" disabled={unread === 0} onClick={() => void markRead()}>
          Mark all read{unread > 0 ? ` (${unread})` : ''}
        </button>
      </div>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {!loading && groups.length === 0 && !error ? <p>Nothing yet.</p> : null}
      <ol class="notifications" aria-busy={loading}>
        {groups.map((group) => (
          <li
            key={group.key}
            class={`card notification${group.read ? '' : ' is-unread'}`}
            data-kind={group.kind}
          >
            <ul class="row actors" aria-label="Who">
              {group.actors.slice(0, 5).map((actor) => (
                <li key={actor.networkId}>
                  <a href={href('profile', actor.networkId)} title={`@${actor.handle}`}>
                    <Avatar url={actor.avatarUrl} name={authorName(actor)} size="sm" />
                    <span class="visually-hidden">{authorName(actor)}</span>
                  </a>
                </li>
              ))}
            </ul>
            <p>
              {group.read ? null : <span class="visually-hidden">Unread: </span>}
              <Who group={group} /> {VERBS[group.kind]}
              {group.post ? ` on ${NETWORK_NAMES[group.post.network]}` : ''} ·{' '}
              <time class="muted" dateTime={group.latestAt} title={fullDate(group.latestAt)}>
                {timeAgo(group.latestAt)}
              </time>
            </p>
            {group.post ? (
              <p class="muted notification-post">
                <a href={href('thread', group.post.id)}>
                  {group.post.text.length > 160
                    ? `${group.post.text.slice(0, 160)}…`
                    : group.post.text || 'the post'}
                </a>
              </p>
            ) : null}
          </li>
        ))}
      </ol>
      {hasMore ? (
        <button type="button" class="more" disabled={loading} onClick={() => void load(cursor)}>
          {loading ? 'Loading…' : 'Older notifications'}
        </button>
      ) : null}
    </section>
  );
}
