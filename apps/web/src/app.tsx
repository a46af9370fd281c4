// The app shell: who is logged in, the navigation, the theme, and which screen the route shows.
import { useEffect, useState } from 'preact/hooks';
import { messageOf, request } from './api/client';
import { CompleteMastodonLink, Me } from './api/operations';
import { session, useSession } from './api/session';
import { useQuery } from './api/use-query';
import { resetViewerActions } from './api/viewer-actions';
import { href, useRoute } from './router';
import { useTheme } from './theme';
import type { Theme } from './theme';
import { AccountsScreen } from './screens/accounts-screen';
import { AdminScreen } from './screens/admin-screen';
import { AuditScreen } from './screens/audit-screen';
import { AuthScreen } from './screens/auth-screen';
import { NotificationsScreen, useUnreadNotifications } from './screens/notifications-screen';
import { PipelineEditorScreen, PipelinesScreen } from './screens/pipelines-screen';
import { ThreadScreen } from './screens/thread-screen';
import { TimelineScreen } from './screens/timeline-screen';

const NAV = [
  { route: 'timeline', label: 'Timeline' },
  { route: 'notifications', label: 'Notifications' },
  { route: 'accounts', label: 'Accounts' },
  { route: 'pipelines', label: 'Pipelines' },
  { route: 'audit', label: 'Hidden' },
  { route: 'admin', label: 'Admin' },
];

/** A Mastodon instance sent the member back here with an OAuth code (PUBLIC_URL is set). */
const MASTODON_CALLBACK = '/oauth/mastodon/callback';

function ThemePicker() {
  const [theme, setTheme] = useTheme();
  return (
    <label class="theme-picker">
      <span class="visually-hidden">Theme</span>
      <select value={theme} onChange={(e) => setTheme(e.currentTarget.value as Theme)}>
        <option value="system">System theme</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}

function MastodonCallback() {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const params = new URLSearchParams(location.search);
    const expected = sessionStorage.getItem('tributary.mastodon-oauth-state');
    const state = params.get('state') ?? '';
    if (!expected || state !== expected)
      return setError('This sign-in was not started here (or already finished). Start again from Accounts.');
    request(CompleteMastodonLink, { code: params.get('code') ?? '', state })
      .then(() => {
        sessionStorage.removeItem('tributary.mastodon-oauth-state');
        location.replace(`/${href('accounts')}`);
      })
      .catch((e) => setError(messageOf(e)));
  }, []);
  return error ? (
    <p class="error" role="alert">
      {error} <a href={`/${href('accounts')}`}>Accounts</a>
    </p>
  ) : (
    <p aria-busy="true">Finishing the link with your Mastodon server…</p>
  );
}

function Screen({ isAdmin }: { isAdmin: boolean }) {
  const { parts, params } = useRoute();
  const [first = 'timeline', second] = parts;
  switch (first) {
    case 'accounts':
      return <AccountsScreen />;
    case 'notifications':
      return <NotificationsScreen />;
    case 'thread':
      return second ? <ThreadScreen key={second} postId={second} /> : null;
    case 'pipelines':
      return second ? <PipelineEditorScreen key={second} id={second} /> : <PipelinesScreen />;
    case 'audit':
      return <AuditScreen pipelineId={params.get('pipeline')} />;
    case 'admin':
      return <AdminScreen isAdmin={isAdmin} />;
    default:
      return <TimelineScreen pipelineId={params.get('pipeline')} />;
  }
}

function LoggedIn() {
  const { parts } = useRoute();
  const me = useQuery(Me, {});
  const isAdmin = me.data?.me.role === 'ADMIN';
  const unread = useUnreadNotifications();
  const active = parts[0] ?? 'timeline';
  const logout = () => {
    resetViewerActions();
    session.clear();
    location.hash = href('login');
  };
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="app-header">
        <a class="brand" href={href('timeline')}>
          Tributary
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.route}>
                <a href={href(item.route)} aria-current={active === item.route ? 'page' : undefined}>
                  {item.route === 'admin' && !isAdmin ? 'Plugins' : item.label}
                  {item.route === 'notifications' && unread > 0 ? (
                    <span class="unread-count">
                      {' '}
                      {unread}
                      <span class="visually-hidden"> unread</span>
                    </span>
                  ) : null}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="header-tools">
          <ThemePicker />
          <span class="muted small user">{me.data?.me.username}</span>
          <button type="button" class="secondary" id="logout" onClick={logout}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {location.pathname === MASTODON_CALLBACK ? <MastodonCallback /> : <Screen isAdmin={isAdmin} />}
      </main>
    </>
  );
}

export function App() {
  const token = useSession();
  const { parts, params } = useRoute();
  if (token) return <LoggedIn key={token} />;
  return (
    <>
      <header class="app-header">
        <span class="brand">Tributary</span>
        <div class="header-tools">
          <ThemePicker />
        </div>
      </header>
      <main id="main">
        <AuthScreen
          key={parts[0]}
          mode={parts[0] === 'signup' ? 'signup' : 'login'}
          invite={params.get('invite') ?? ''}
        />
      </main>
    </>
  );
}
