// Linking Bluesky and Mastodon accounts, and how each is doing: status (with what to do when the
// network refused the stored credentials), how new posts arrive, and each source's backfill.
import { useEffect, useState } from 'preact/hooks';
import type { AccountFieldsFragment } from '../gql/graphql';
import { messageOf, request } from '../api/client';
import { subscribe } from '../api/live';
import {
  AccountStatusChanged,
  CompleteBlueskyLink,
  CompleteMastodonLink,
  LinkBluesky,
  LinkMastodonToken,
  LinkedAccounts,
  StartBlueskyLink,
  StartMastodonLink,
  UnlinkAccount,
} from '../api/operations';
import { useQuery } from '../api/use-query';
import { NETWORK_NAMES, fullDate, timeAgo } from '../format';

/** Whether a "sign in with Bluesky" was started here and waits for what the server sent back. */
export const BLUESKY_PENDING_KEY = 'tributary.bluesky-oauth-pending';
/** A Mastodon OAuth link started here and waiting for its code: the instance's `state`. */
export const MASTODON_STATE_KEY = 'tributary.mastodon-oauth-state';
/** Mastodon's "show the code to paste" redirect, used when the instance has no PUBLIC_URL. */
const OUT_OF_BAND = 'urn:ietf:wg:oauth:2.0:oob';
/** While a backfill runs, the screen asks for progress this often. */
const PROGRESS_POLL_MS = 3000;

function StatusBadge({ account }: { account: AccountFieldsFragment }) {
  const label = { ACTIVE: 'Active', ERROR: 'Error', NEEDS_REAUTH: 'Needs sign-in again' }[account.status];
  return <span class={`badge status-${account.status.toLowerCase()}`}>{label}</span>;
}

/**
 * "Sign in with Bluesky": this tab goes to the member's server, which sends it back to
 * /oauth/bluesky/callback, where the app finishes the link and comes back here to show it.
 */
async function signInWithBluesky(identifier: string): Promise<void> {
  const { startBlueskyLink } = await request(StartBlueskyLink, { identifier });
  sessionStorage.setItem(BLUESKY_PENDING_KEY, identifier);
  location.assign(startBlueskyLink.authorizeUrl);
}

function ReauthGuidance({ account }: { account: AccountFieldsFragment }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (account.status !== 'NEEDS_REAUTH') return null;
  const signInAgain = async () => {
    setBusy(true);
    setError(null);
    try {
      await signInWithBluesky(account.handle);
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  };
  return (
    <div class="notice reauth" role="note">
      <p>
        <strong>{NETWORK_NAMES[account.network]} refused the stored credentials</strong>
        {account.statusReason ? ` (${account.statusReason})` : ''}. New posts stop arriving until you link it
        again; nothing you have is lost.
      </p>
      {account.network === 'BLUESKY' ? (
        <>
          <p>
            Sign in to Bluesky again as <strong>{account.handle}</strong> (the account is updated in place),
            or create a new app password in Bluesky (Settings → Privacy and security → App passwords) and link
            it below with that.
          </p>
          <button type="button" disabled={busy} onClick={() => void signInAgain()}>
            Sign in again as {account.handle}
          </button>
          {error ? (
            <p class="error" role="alert">
              {error}
            </p>
          ) : null}
        </>
      ) : (
        <p>
          Link <strong>{account.handle}</strong> again below: sign in with {new URL(account.serviceUrl).host}{' '}
          (or paste a new access token). The account is updated in place.
        </p>
      )}
    </div>
  );
}

function AccountCard({
  account,
  isNew,
  onChanged,
}: {
  account: AccountFieldsFragment;
  /** Just linked through OAuth: the member came back here from their server. */
  isNew: boolean;
  onChanged: () => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const unlink = async () => {
    if (!confirm(`Unlink ${account.handle}? Its posts leave your timelines.`)) return;
    try {
      await request(UnlinkAccount, { id: account.id });
      onChanged();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  return (
    <li
      class={`card account${isNew ? ' is-new' : ''}`}
      data-account-id={account.id}
      data-status={account.status}
    >
      <div class="row spread">
        <h3>
          {NETWORK_NAMES[account.network]} · {account.handle}
        </h3>
        <StatusBadge account={account} />
      </div>
      <p class="muted">
        {account.freshness === 'STREAMING'
          ? 'New posts arrive as they are published'
          : 'New posts are fetched periodically'}
        {account.lastSyncedAt ? ` · last synced ${timeAgo(account.lastSyncedAt)}` : ' · not synced yet'}
      </p>
      {account.stream && !account.stream.live ? (
        <p class="muted">
          The live stream is not connected{account.stream.lastError ? `: ${account.stream.lastError}` : ''};
          new posts arrive when it is back.
        </p>
      ) : account.stream?.lagSeconds && account.stream.lagSeconds > 60 ? (
        <p class="muted">The live stream is {Math.round(account.stream.lagSeconds)} seconds behind.</p>
      ) : null}
      {account.status === 'ERROR' && account.statusReason ? (
        <p class="error">
          Syncing fails: {account.statusReason} (since {fullDate(account.statusChangedAt)})
        </p>
      ) : null}
      <ReauthGuidance account={account} />
      <ul class="sources">
        {account.sources.map((source) => {
          const { state, done, target } = source.backfill;
          const name =
            source.kind === 'HOME'
              ? 'Home timeline'
              : `${source.kind.toLowerCase()} ${source.displayName ?? source.externalId}`;
          return (
            <li key={source.id}>
              <span>{name}</span>{' '}
              <span class="muted">
                history:{' '}
                {state === 'DONE'
                  ? `done (${done} posts)`
                  : state === 'FAILED'
                    ? 'failed'
                    : `${done} of ${target}`}
              </span>
              {state === 'RUNNING' || state === 'IDLE' ? (
                <progress max={Math.max(target, 1)} value={done} aria-label={`${name}: history loaded`} />
              ) : null}
              {source.lastError ? <p class="error small">{source.lastError}</p> : null}
            </li>
          );
        })}
      </ul>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="button" class="secondary danger" onClick={() => void unlink()}>
        Unlink {account.handle}
      </button>
    </li>
  );
}

function LinkBlueskyForm({ onLinked }: { onLinked: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [waiting, setWaiting] = useState(sessionStorage.getItem(BLUESKY_PENDING_KEY) !== null);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const signIn = (event: Event) => {
    event.preventDefault();
    const identifier = String(new FormData(event.currentTarget as HTMLFormElement).get('handle')).trim();
    void run(() => signInWithBluesky(identifier));
  };
  const complete = (event: Event) => {
    event.preventDefault();
    const callback = String(new FormData(event.currentTarget as HTMLFormElement).get('callback')).trim();
    void run(async () => {
      await request(CompleteBlueskyLink, { callback });
      sessionStorage.removeItem(BLUESKY_PENDING_KEY);
      setWaiting(false);
      onLinked();
    });
  };
  const withAppPassword = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const service = String(form.get('service') ?? '').trim();
    void run(async () => {
      await request(LinkBluesky, {
        identifier: String(form.get('identifier')),
        appPassword: String(form.get('appPassword')),
        service: service || null,
      });
      (event.target as HTMLFormElement).reset();
      onLinked();
    });
  };
  return (
    <div class="card" id="link-bluesky">
      <h2>Link a Bluesky account</h2>
      <form onSubmit={signIn}>
        <label>
          Your handle
          <input name="handle" required placeholder="alice.bsky.social" autocomplete="username" />
        </label>
        <button type="submit" disabled={busy}>
          Sign in with Bluesky
        </button>
      </form>
      {waiting ? (
        <details>
          <summary>Allowed Tributary in another browser? Finish here</summary>
          <form onSubmit={complete}>
            <label>
              The address your server sent that browser to (…/oauth/bluesky/callback?…)
              <input name="callback" required autocomplete="off" />
            </label>
            <button type="submit" disabled={busy}>
              Finish linking
            </button>
          </form>
        </details>
      ) : null}
      <details>
        <summary>Use an app password instead</summary>
        <form id="link-bluesky-app-password" onSubmit={withAppPassword}>
          <p class="muted">
            Bluesky: Settings → Privacy and security → App passwords. Never your main password.
          </p>
          <label>
            Handle or email
            <input name="identifier" autocomplete="username" required placeholder="alice.bsky.social" />
          </label>
          <label>
            App password
            <input
              name="appPassword"
              type="password"
              autocomplete="off"
              required
              placeholder="xxxx-xxxx-xxxx-xxxx"
            />
          </label>
          <label>
            Server (leave empty for bsky.social)
            <input name="service" type="url" placeholder="https://bsky.social" />
          </label>
          <button type="submit" disabled={busy}>
            Link Bluesky account
          </button>
        </form>
      </details>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function LinkMastodonForm({ onLinked }: { onLinked: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [waiting, setWaiting] = useState(sessionStorage.getItem(MASTODON_STATE_KEY) !== null);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const signIn = (event: Event) => {
    event.preventDefault();
    const instance = String(new FormData(event.currentTarget as HTMLFormElement).get('instance')).trim();
    void run(async () => {
      const { startMastodonLink } = await request(StartMastodonLink, { instance });
      sessionStorage.setItem(MASTODON_STATE_KEY, startMastodonLink.state);
      const redirect = new URL(startMastodonLink.authorizeUrl).searchParams.get('redirect_uri');
      if (redirect === OUT_OF_BAND) {
        // The instance shows a code to paste into the form that appears here.
        setWaiting(true);
        window.open(startMastodonLink.authorizeUrl, '_blank', 'noopener');
      } else {
        // It sends this tab back to /oauth/mastodon/callback, where the app finishes the link.
        location.assign(startMastodonLink.authorizeUrl);
      }
    });
  };
  const complete = (event: Event) => {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget as HTMLFormElement).get('code')).trim();
    const state = sessionStorage.getItem(MASTODON_STATE_KEY) ?? '';
    void run(async () => {
      await request(CompleteMastodonLink, { code, state });
      sessionStorage.removeItem(MASTODON_STATE_KEY);
      setWaiting(false);
      onLinked();
    });
  };
  const withToken = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    void run(async () => {
      await request(LinkMastodonToken, {
        instance: String(form.get('instance')).trim(),
        accessToken: String(form.get('accessToken')).trim(),
      });
      (event.target as HTMLFormElement).reset();
      onLinked();
    });
  };
  return (
    <div class="card" id="link-mastodon">
      <h2>Link a Mastodon account</h2>
      <form onSubmit={signIn}>
        <label>
          Your server
          <input name="instance" required placeholder="mastodon.social" />
        </label>
        <button type="submit" disabled={busy}>
          Sign in with your server
        </button>
      </form>
      {waiting ? (
        <form onSubmit={complete}>
          <label>
            Authorization code (your server shows it after you allow Tributary)
            <input name="code" required autocomplete="off" />
          </label>
          <button type="submit" disabled={busy}>
            Finish linking
          </button>
        </form>
      ) : null}
      <details>
        <summary>Use an access token instead</summary>
        <form onSubmit={withToken}>
          <label>
            Server
            <input name="instance" required placeholder="mastodon.social" />
          </label>
          <label>
            Access token (Preferences → Development → New application)
            <input name="accessToken" type="password" required autocomplete="off" />
          </label>
          <button type="submit" disabled={busy}>
            Link with token
          </button>
        </form>
      </details>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** Said once the member is back from their server with an account linked. */
function LinkedNotice({ account }: { account: AccountFieldsFragment }) {
  return (
    <p class="notice linked-notice" role="status">
      <strong>
        {NETWORK_NAMES[account.network]} account {account.handle} linked.
      </strong>{' '}
      {account.sources.some((s) => s.backfill.state !== 'DONE')
        ? 'Its recent posts are being fetched into your timeline now.'
        : 'Its posts are in your timeline.'}
    </p>
  );
}

export function AccountsScreen({ linked }: { linked: string | null }) {
  const { data, error, reload } = useQuery(LinkedAccounts, {});
  const accounts = data?.linkedAccounts ?? [];
  const justLinked = accounts.find((a) => a.id === linked);
  const backfilling = accounts.some((a) =>
    a.sources.some((s) => s.backfill.state === 'RUNNING' || s.backfill.state === 'IDLE'),
  );
  useEffect(() => subscribe(AccountStatusChanged, {}, () => void reload()), []);
  useEffect(() => {
    if (!backfilling) return;
    const timer = setInterval(() => void reload(), PROGRESS_POLL_MS);
    return () => clearInterval(timer);
  }, [backfilling]);
  return (
    <section aria-labelledby="accounts-title">
      <h1 id="accounts-title">Accounts</h1>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {justLinked ? <LinkedNotice account={justLinked} /> : null}
      {data && accounts.length === 0 ? (
        <p>No account linked yet: link one below and its home timeline flows in.</p>
      ) : null}
      <ul class="accounts">
        {accounts.map((account) => (
          <AccountCard
            key={account.id}
            account={account}
            isNew={account.id === linked}
            onChanged={() => void reload()}
          />
        ))}
      </ul>
      <div class="grid-2">
        <LinkBlueskyForm onLinked={() => void reload()} />
        <LinkMastodonForm onLinked={() => void reload()} />
      </div>
    </section>
  );
}
