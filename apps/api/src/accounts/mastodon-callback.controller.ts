import { Public } from '../auth/public.decorator.js';
import { Controller, Get, Header, Query } from '@nestjs/common';

const escape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`).slice(0, 500);

/**
 * Where a Mastodon instance sends the browser after the user authorized Tributary (when PUBLIC_URL
 * is set). It holds no session, so it only shows the code and state for the user's client to pass
 * to `completeMastodonLink`; clients with their own redirect handling never land here.
 */
@Public()
@Controller('oauth/mastodon')
export class MastodonCallbackController {
  @Get('callback')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', "default-src 'none'")
  callback(@Query('code') code = '', @Query('state') state = ''): string {
    return `<!doctype html><meta charset="utf-8"><title>Tributary — Mastodon authorized</title>
<h1>Almost done</h1><p>Paste this into your Tributary client to finish linking:</p>
<p>code: <code>${escape(String(code))}</code></p><p>state: <code>${escape(String(state))}</code></p>`;
  }
}
