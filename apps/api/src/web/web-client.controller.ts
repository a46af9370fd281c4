import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { Controller, Get, NotFoundException, Param, Query, Res } from '@nestjs/common';
import { Public } from '../auth/public.decorator.js';

/**
 * The web app as built by tools/scripts/build-web.mjs (Vite, from apps/web) into dist/web of this
 * checkout: `npm start` and `npm test` build it when its sources changed.
 */
const WEB_ROOT = new URL('../../../../dist/web/', import.meta.url);
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
};

/**
 * Scripts and styles only from here, data only from this origin's /graphql (HTTP and WebSocket),
 * images from the networks' CDNs (avatars, media) and the composer's own previews (blob:), no
 * frames, no plugins, no inline code.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  'img-src https: http: data: blob:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface WebFile {
  body: Buffer;
  type: string;
}

/** index.html and the hashed assets, read once: the only files served, by exact name. */
function load(): { index: WebFile; assets: Map<string, WebFile> } | null {
  if (!existsSync(new URL('index.html', WEB_ROOT))) return null;
  const read = (path: string): WebFile => ({
    body: readFileSync(new URL(path, WEB_ROOT)),
    type: TYPES[path.split('.').pop()!] ?? 'application/octet-stream',
  });
  const assetsDir = new URL('assets/', WEB_ROOT);
  const names = existsSync(assetsDir) ? readdirSync(assetsDir) : [];
  return { index: read('index.html'), assets: new Map(names.map((name) => [name, read(`assets/${name}`)])) };
}

/** A query value as text safe in HTML (at most `max` characters). */
function escapeHtml(value: unknown, max = 500): string {
  const text = typeof value === 'string' ? value : '';
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`).slice(0, max);
}

/**
 * Serves the web app at `/` (its files under `/web/assets/`), beside `/graphql` and `/health`.
 * Public: the page holds no data; it logs in through GraphQL like any client. Routes live in the
 * URL's fragment, so one page serves them all; `/oauth/mastodon/callback` (PUBLIC_URL set) and
 * `/oauth/bluesky/callback` are where a member's server sends them back after they allowed
 * Tributary, and the page finishes the link from there.
 */
@Public()
@Controller()
export class WebClientController {
  private readonly files = load();

  @Get()
  index(@Res() res: ServerResponse): void {
    this.sendIndex(res);
  }

  /**
   * The web app reads the code and state from its own URL and finishes the link (after a login if
   * needed); the HTML never carries them. Without a build, a plain page shows them to paste into
   * any client's `completeMastodonLink`.
   */
  @Get('oauth/mastodon/callback')
  mastodonCallback(
    @Query('code') code: unknown,
    @Query('state') state: unknown,
    @Res() res: ServerResponse,
  ): void {
    if (this.files !== null) return this.sendIndex(res);
    const page = `<!doctype html><meta charset="utf-8"><title>Tributary — Mastodon authorized</title>
<h1>Almost done</h1><p>Paste this into your Tributary client to finish linking:</p>
<p>code: <code>${escapeHtml(code)}</code></p><p>state: <code>${escapeHtml(state)}</code></p>`;
    const body = Buffer.from(page);
    this.send(res, { type: TYPES.html!, body }, 'no-store');
  }

  /**
   * As for Mastodon: the web app passes its own URL's query (code, state, iss) to
   * `completeBlueskyLink` and lands on the accounts screen. Without a build, a plain page shows the
   * query to paste into any client; clients with their own redirect handling read it from this URL.
   */
  @Get('oauth/bluesky/callback')
  blueskyCallback(@Query() query: Record<string, unknown>, @Res() res: ServerResponse): void {
    if (this.files !== null) return this.sendIndex(res);
    const params = new URLSearchParams(
      Object.entries(query).flatMap(([k, v]): [string, string][] => (typeof v === 'string' ? [[k, v]] : [])),
    ).toString();
    const page = `<!doctype html><meta charset="utf-8"><title>Tributary — Bluesky authorized</title>
<h1>Almost done</h1><p>Paste this into your Tributary client to finish linking:</p>
<p><code>${escapeHtml(params, 2000)}</code></p>`;
    this.send(res, { type: TYPES.html!, body: Buffer.from(page) }, 'no-store');
  }

  @Get('web/assets/:file')
  asset(@Param('file') file: string, @Res() res: ServerResponse): void {
    const found = this.files?.assets.get(file);
    if (!found) throw new NotFoundException();
    // Names carry a content hash: a new build has new names.
    this.send(res, found, 'public, max-age=31536000, immutable');
  }

  private sendIndex(res: ServerResponse): void {
    if (this.files === null) {
      res
        .writeHead(503, { 'content-type': 'text/plain; charset=utf-8' })
        .end('The web app is not built: run `node tools/scripts/build-web.mjs` (npm start does it).\n');
      return;
    }
    this.send(res, this.files.index, 'no-cache');
  }

  private send(res: ServerResponse, file: WebFile, cacheControl: string): void {
    res
      .writeHead(200, {
        'content-type': file.type,
        'content-length': file.body.length,
        'content-security-policy': CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': cacheControl,
      })
      .end(file.body);
  }
}
