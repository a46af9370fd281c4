// The app shell: who is logged in, the navigation, the theme, and which screen the route shows.
import { useEffect, useState } from 'preact/hooks';
import { Me } from './api/operations';
import { session, useSession } from './api/session';
import { useQuery } from './api/use-query';
import { resetViewerActions } from './api/viewer-actions';
import { href, useRoute } from './router';
import { useTheme } from './theme';
import type { Theme } from './theme';
import { AccountsScreen } from './screens/accounts-screen';
import { AuditScreen } from './screens/audit-screen';
import { AuthScreen } from './screens/auth-screen';
import { MembersScreen } from './screens/members-screen';
import { NotificationsScreen, useUnreadNotifications } from './screens/notifications-screen';
import { OAuthReturn, oauthReturnAt } from './screens/oauth-return';
import { PipelineEditorScreen, PipelinesScreen } from './screens/pipelines-screen';
import { PluginsScreen } from './screens/plugins-screen';
import { ProfileScreen } from './screens/profile-screen';
import { ThreadScreen } from './screens/thread-screen';
import { TimelineScreen } from './screens/timeline-screen';

const NAV = [
  { route: 'timeline', label: 'Timeline' },
  { route: 'notifications', label: 'Notifications' },
  { route: 'accounts', label: 'Accounts' },
  { route: 'pipelines', label: 'Pipelines' },
  { route: 'audit', label: 'Hidden' },
  { route: 'members', label: 'Members', adminOnly: true },
  { route: 'plugins', label: 'Plugins' },
];

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

function Screen({ isAdmin, myId }: { isAdmin: boolean; myId: string | null }) {
  const { parts, params } = useRoute();
  const [first = 'timeline', second] = parts;
  switch (first) {
    case 'accounts':
      return <AccountsScreen linked={params.get('linked')} />;
    case 'notifications':
      return <NotificationsScreen />;
    case 'profile':
      return second ? <ProfileScreen key={second} actor={second} /> : null;
    case 'thread':
      return second ? <ThreadScreen key={second} postId={second} /> : null;
    case 'pipelines':
      return second ? <PipelineEditorScreen key={second} id={second} /> : <PipelinesScreen />;
    case 'audit':
      return <AuditScreen pipelineId={params.get('pipeline')} />;
    case 'members':
      return <MembersScreen isAdmin={isAdmin} myId={myId} />;
    case 'plugins':
    case 'admin': // the screen's earlier name, in links handed out before
      return <PluginsScreen />;
    default:
      return <TimelineScreen pipelineId={params.get('pipeline')} />;
  }
}

function LoggedIn() {
  const { parts } = useRoute();
  const me = useQuery(Me, {});
  const isAdmin = me.data?.me.role === 'ADMIN';
  const unread = useUnreadNotifications();
  // Read once: the page leaves the callback's address as soon as it can; going to another screen
  // (a hash change) leaves the return for good.
  const [returning, setReturning] = useState(() => oauthReturnAt(location.pathname));
  useEffect(() => {
    const leave = () => setReturning(null);
    window.addEventListener('hashchange', leave);
    return () => window.removeEventListener('hashchange', leave);
  }, []);
  const active = returning ? 'accounts' : parts[0] === 'admin' ? 'plugins' : (parts[0] ?? 'timeline');
  // On a phone the nav row scrolls sideways: the current screen's link is brought into it.
  useEffect(() => {
    document
      .querySelector('.app-header nav a[aria-current=page]')
      ?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [active, isAdmin]);
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
            {NAV.filter((item) => isAdmin || !item.adminOnly).map((item) => (
              <li key={item.route}>
                <a href={href(item.route)} aria-current={active === item.route ? 'page' : undefined}>
                  {item.label}
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
        {returning ? (
          <OAuthReturn network={returning} />
        ) : (
          <Screen isAdmin={isAdmin} myId={me.data?.me.id ?? null} />
        )}
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
