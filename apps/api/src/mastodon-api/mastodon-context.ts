import { Inject, Injectable } from '@nestjs/common';
import type { Request } from './http-types.js';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { baseUrl } from './base-url.js';
import type { EntityContext } from './entities/mastodon-entities.js';

/** Per-request facts the mapping needs: this instance's base URL, and the URL a page was asked at. */
@Injectable()
export class MastodonContext {
  constructor(@Inject(CONFIG) private readonly config: Config) {}

  of(req: Request): EntityContext {
    return { baseUrl: baseUrl(req, this.config) };
  }

  url(req: Request): string {
    return `${baseUrl(req, this.config)}${req.originalUrl}`;
  }
}
