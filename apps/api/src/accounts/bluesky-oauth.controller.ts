import { Controller, Get, Header, NotFoundException } from '@nestjs/common';
import { AccountsService } from '@tributary/accounts';
import { Public } from '../auth/public.decorator.js';

/**
 * Tributary as an atproto OAuth client: the metadata and keys a member's server fetches (a
 * confidential client, on an https PUBLIC_URL). Where the server sends the browser back,
 * /oauth/bluesky/callback, is the web app's (WebClientController).
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

  private async published() {
    const published = await this.accounts.blueskyOAuthPublication();
    // A loopback client (no https PUBLIC_URL) publishes nothing: servers never ask it.
    if (!published) throw new NotFoundException();
    return published;
  }
}
