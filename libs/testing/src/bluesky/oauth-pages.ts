// A member at their PDS's OAuth pages (@atproto/oauth-provider), driven over HTTP the way the
// pages' own script calls the provider's API: the authorization page (sign in, consent, back to the
// app) and the account page (the apps signed in to the account, and revoking one). Same headers as
// a browser sends: the provider checks Sec-Fetch-*, Origin, Referer and its CSRF cookie (undici's
// `request`, not fetch, which sets Sec-Fetch-Mode itself).
import { request } from 'undici';

const API = '/@atproto/oauth-provider/~api';

/** The cookies one browser holds for the PDS. */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(headers: Record<string, string | string[] | undefined>): void {
    const lines = headers['set-cookie'] ?? [];
    for (const line of Array.isArray(lines) ? lines : [lines]) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      if (eq > 0) this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
  }

  get(name: string): string {
    return this.cookies.get(name) ?? '';
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

interface Page {
  jar: CookieJar;
  origin: string;
  /** The page the API calls come from. */
  referer: string;
}

async function api<T>(
  page: Page,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  bearer?: string,
): Promise<T> {
  const res = await request(`${page.origin}${API}${path}`, {
    method,
    headers: {
      origin: page.origin,
      referer: page.referer,
      'sec-fetch-site': 'same-origin',
      'sec-fetch-mode': 'same-origin',
      'sec-fetch-dest': 'empty',
      'x-csrf-token': page.jar.get('csrf-token'),
      cookie: page.jar.header(),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  page.jar.take(res.headers);
  const json = (await res.body.json()) as T;
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${JSON.stringify(json)}`);
  return json;
}

/** Opens a page as a browser navigating to it: its status and where it redirects (not followed). */
async function navigate(
  jar: CookieJar,
  url: string,
  from?: string,
): Promise<{ status: number; location: string | null; text: string }> {
  const res = await request(url, {
    headers: {
      'sec-fetch-site': from ? 'same-origin' : 'none',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-dest': 'document',
      cookie: jar.header(),
      ...(from ? { referer: from } : {}),
    },
  });
  jar.take(res.headers);
  const location = res.headers['location'];
  return {
    status: res.statusCode,
    location: typeof location === 'string' ? location : null,
    text: await res.body.text(),
  };
}

/**
 * The member opens `authorizeUrl`, signs in with their password and consents to what the app
 * asked for; returns the URL their browser is then sent to (the app's redirect URI, with `code`,
 * `state` and `iss`).
 */
export async function signInAndConsent(
  authorizeUrl: string,
  account: { handle: string; password: string; did: string },
): Promise<string> {
  const jar = new CookieJar();
  const opened = await navigate(jar, authorizeUrl);
  if (opened.status !== 200)
    throw new Error(`authorization page: ${opened.status} ${opened.text.slice(0, 2000)}`);
  const page = { jar, origin: new URL(authorizeUrl).origin, referer: authorizeUrl };
  const { ephemeralToken } = await api<{ ephemeralToken?: string }>(page, 'POST', '/sign-in', {
    locale: 'en',
    username: account.handle,
    password: account.password,
  });
  const { url } = await api<{ url: string }>(page, 'POST', '/consent', { did: account.did }, ephemeralToken);
  const back = await navigate(jar, url, authorizeUrl);
  if (back.status !== 303 || !back.location) throw new Error(`authorization redirect: ${back.status}`);
  return back.location;
}

/**
 * The member signs in on their PDS's account page and revokes every OAuth session of apps whose
 * client id starts with `clientIdPrefix` ("sign out of this app"); returns how many it revoked.
 */
export async function revokeOAuthSessions(
  pdsUrl: string,
  account: { handle: string; password: string; did: string },
  clientIdPrefix: string,
): Promise<number> {
  const jar = new CookieJar();
  const origin = new URL(pdsUrl).origin;
  const accountPage = `${origin}/account`;
  await navigate(jar, accountPage);
  const page = { jar, origin, referer: accountPage };
  await api(page, 'POST', '/sign-in', {
    locale: 'en',
    username: account.handle,
    password: account.password,
    remember: true,
  });
  const sessions = await api<{ tokenId: string; clientId: string }[]>(
    page,
    'GET',
    `/oauth-sessions?did=${encodeURIComponent(account.did)}`,
  );
  const ours = sessions.filter((s) => s.clientId.startsWith(clientIdPrefix));
  for (const { tokenId } of ours) {
    await api(page, 'POST', '/revoke-oauth-session', { did: account.did, tokenId });
  }
  return ours.length;
}
