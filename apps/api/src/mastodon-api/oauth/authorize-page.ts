// The login + consent page of `/oauth/authorize`: plain HTML, no script, every value escaped.
import { escapeHtml } from '../entities/html.js';
import type { CheckedAuthorization } from './oauth.service.js';

/** Self-contained: styles inline, nothing loaded, not framable. No form-action: the redirect may use an app's own scheme. */
export const AUTHORIZE_PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}label{display:block;margin:.8rem 0 .2rem}input[type=text],input[type=password]{width:100%;padding:.5rem;box-sizing:border-box}
.buttons{margin-top:1.2rem;display:flex;gap:.6rem}button{padding:.5rem 1rem}.error{color:#a00}code{word-break:break-all;font-size:1.1rem}`;

const page = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
  `<title>${escapeHtml(title)} · Tributary</title><style>${STYLE}</style></head><body>${body}</body></html>`;

const hidden = (name: string, value: string | null): string =>
  value === null ? '' : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;

/** The form: the app asking, the scopes, Tributary's login, authorize or deny. */
export function authorizePage(request: CheckedAuthorization, error: string | null, username = ''): string {
  const { client } = request;
  const app = client.website
    ? `<a href="${escapeHtml(client.website)}" rel="noopener noreferrer">${escapeHtml(client.name)}</a>`
    : escapeHtml(client.name);
  return page(
    'Authorize',
    `<h1>Authorize ${app}</h1>
<p>${app} asks to use your Tributary account with these permissions: <strong>${escapeHtml(request.scopes.join(', '))}</strong>.
It will see your timelines and act for you on your linked networks.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/oauth/authorize">
${hidden('client_id', client.clientId)}${hidden('redirect_uri', request.redirectUri)}${hidden('scope', request.scopes.join(' '))}
${hidden('response_type', 'code')}${hidden('state', request.state)}${hidden('code_challenge', request.codeChallenge)}
${hidden('code_challenge_method', request.codeChallenge ? 'S256' : null)}
<label for="username">Tributary username</label><input type="text" id="username" name="username" autocomplete="username" required value="${escapeHtml(username)}">
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required>
<div class="buttons"><button type="submit" name="decision" value="authorize">Authorize</button>
<button type="submit" name="decision" value="deny" formnovalidate>Deny</button></div>
</form>`,
  );
}

/** The code for an app that asked for it out of band: the member copies it into the app. */
export function outOfBandPage(code: string): string {
  return page(
    'Authorization code',
    `<h1>Authorization code</h1><p>Copy this code and paste it into the application:</p><p><code>${escapeHtml(code)}</code></p>`,
  );
}

/** A request that cannot be sent back to the app (unknown app, unregistered redirect URI). */
export function errorPage(message: string): string {
  return page(
    'Authorization failed',
    `<h1>Authorization failed</h1><p class="error">${escapeHtml(message)}</p>`,
  );
}
