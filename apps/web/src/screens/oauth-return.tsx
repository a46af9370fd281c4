// Where a member's own server sends them back after they allowed Tributary ("sign in with
// Bluesky", or a Mastodon instance's OAuth with PUBLIC_URL set): the API serves this app at those
// paths, the app finishes the link with what the server put in the URL (after a login if needed)
// and goes on to the accounts screen, which shows the account just linked.
import { useEffect, useState } from 'preact/hooks';
import { messageOf, request } from '../api/client';
import { CompleteBlueskyLink, CompleteMastodonLink } from '../api/operations';
import { href } from '../router';
import { BLUESKY_PENDING_KEY, MASTODON_STATE_KEY } from './accounts-screen';

type Network = 'bluesky' | 'mastodon';

const RETURNS: Record<string, Network> = {
  '/oauth/bluesky/callback': 'bluesky',
  '/oauth/mastodon/callback': 'mastodon',
};

/** The network whose OAuth return this page is, or null for the app's own page. */
export function oauthReturnAt(pathname: string): Network | null {
  return RETURNS[pathname] ?? null;
}

/**
 * The link, finished. Which member started it is checked by the API (the `state` names the member
 * who started it; anyone else's is refused), so a return in another tab of the same browser works.
 */
async function finish(network: Network, params: URLSearchParams): Promise<string> {
  if (network === 'bluesky') {
    const { completeBlueskyLink } = await request(CompleteBlueskyLink, { callback: params.toString() });
    sessionStorage.removeItem(BLUESKY_PENDING_KEY);
    return completeBlueskyLink.id;
  }
  const { completeMastodonLink } = await request(CompleteMastodonLink, {
    code: params.get('code') ?? '',
    state: params.get('state') ?? '',
  });
  sessionStorage.removeItem(MASTODON_STATE_KEY);
  return completeMastodonLink.id;
}

/** What the server said when the member did not allow it (OAuth's `error` parameters). */
function refusal(params: URLSearchParams): string | null {
  const error = params.get('error');
  if (!error) return null;
  const why = params.get('error_description') ?? error;
  return error === 'access_denied'
    ? `Tributary was not allowed on your server (${why}); nothing was linked.`
    : `Your server did not link the account: ${why}.`;
}

export function OAuthReturn({ network }: { network: Network }) {
  const [error, setError] = useState<string | null>(null);
  const name = network === 'bluesky' ? 'Bluesky' : 'Mastodon';
  useEffect(() => {
    const params = new URLSearchParams(location.search);
    const failed = (message: string) => {
      // Off the callback's address: the navigation leads to the app's screens again.
      history.replaceState(null, '', '/');
      setError(message);
    };
    const refused = refusal(params);
    if (refused) return failed(refused);
    finish(network, params)
      // A new page at `/`: the callback's code leaves the address bar and the history.
      .then((id) => location.replace(`/${href('accounts')}?linked=${encodeURIComponent(id)}`))
      .catch((e) => failed(messageOf(e)));
  }, []);
  return (
    <section aria-labelledby="oauth-return-title">
      <h1 id="oauth-return-title">Linking your {name} account</h1>
      {error ? (
        <div class="error" role="alert">
          <p>{error}</p>
          <p>
            <a href={`/${href('accounts')}`}>Back to Accounts</a> to start again.
          </p>
        </div>
      ) : (
        <p aria-busy="true">Finishing the link with your {name} server…</p>
      )}
    </section>
  );
}
