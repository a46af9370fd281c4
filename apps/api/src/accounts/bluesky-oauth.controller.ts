import { Controller, Get, Header, NotFoundException, Query } from '@nestjs/common';
import { AccountsService } from '@tributary/accounts';
import { Public } from '../auth/public.decorator.js';

const escape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`).slice(0, 2000);

/**
 * Tributary as an atproto OAuth client: the metadata and keys a member's server fetches (a
 * confidential client, on an https PUBLIC_URL), and where the server sends the browser back.
 */
@Public()
@Controller('oauth/bluesky')
export class BlueskyOAuthController {
  constructor(private readonly accounts: AccountsService) {}

  @Get('client-metadata.json')
  @Header('content-type', 'application/json')
  async metadata(): Promise<object> {
    return (await this.published()).metadata;
  }

  @Get('jwks.json')
  @Header('content-type', 'application/json')
  async jwks(): Promise<object> {
    return (await this.published()).jwks;
  }

  /**
   * It holds no session (the API's tokens are bearer tokens), so it only shows what the member's
   * client passes to `completeBlueskyLink`; clients with their own redirect handling read the
   * parameters from this URL.
   */
  @Get('callback')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', "default-src 'none'")
  @Header('referrer-policy', 'no-referrer')
  callback(@Query() query: Record<string, unknown>): string {
    const params = new URLSearchParams(
      Object.entries(query).flatMap(([k, v]): [string, string][] => (typeof v === 'string' ? [[k, v]] : [])),
    ).toString();
    return `<!doctype html><meta charset="utf-8"><title>Tributary — Bluesky authorized</title>
<h1>Almost done</h1><p>Paste this into your Tributary client to finish linking:</p>
<p><code>${escape(params)}</code></p>`;
  }

  private async published() {
    const published = await this.accounts.blueskyOAuthPublication();
    // A loopback client (no https PUBLIC_URL) publishes nothing: servers never ask it.
    if (!published) throw new NotFoundException();
    return published;
  }
}
