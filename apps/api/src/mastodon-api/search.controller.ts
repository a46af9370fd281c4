import { createHash } from 'node:crypto';
import { Controller, Get, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { SearchKind } from '@tributary/core';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { Public } from '../auth/public.decorator.js';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { PostAccessService } from '../posts/post-access.service.js';
import { SearchService } from '../search/search.service.js';
import type { SearchResultsModel } from '../search/search.model.js';
import type { EntityContext } from './entities/mastodon-entities.js';
import type { Request } from './http-types.js';
import { accountKey } from './ids/id-keys.js';
import { MastodonIds } from './ids/mastodon-ids.service.js';
import { MastodonApiExceptionFilter } from './mastodon-api.exception.js';
import { MastodonAuthGuard, Member } from './mastodon-auth.guard.js';
import { toProfileAccount } from './mastodon-accounts.service.js';
import { MastodonContext } from './mastodon-context.js';
import { pageLimit, param } from './pagination.js';
import { StatusPresenter } from './status-presenter.service.js';

const TYPES = {
  accounts: SearchKind.People,
  hashtags: SearchKind.Hashtags,
  statuses: SearchKind.Posts,
} as const;
type SearchType = keyof typeof TYPES;
/** How far `offset` reaches: each step past the first page is another search of every network. */
const MAX_OFFSET = 200;
const PAGE = 40;
/** Pages read for one answer at most (pages of hidden results only could go on). */
const MAX_PAGES = 8;

/**
 * `/api/v2/search` over GraphQL's search (SearchService): the member's networks searched through
 * their linked accounts, merged, posts through their mute stages. Nothing is resolved on other
 * servers (`resolve` is ignored). Mastodon pages a search by `offset`; the merged search pages by
 * cursor, so an offset is reached by reading the pages before it.
 */
@Public()
@UseGuards(MastodonAuthGuard)
@UseFilters(MastodonApiExceptionFilter)
@Controller('api/v2')
export class SearchController {
  constructor(
    private readonly searches: SearchService,
    private readonly access: PostAccessService,
    private readonly presenter: StatusPresenter,
    private readonly ids: MastodonIds,
    private readonly context: MastodonContext,
  ) {}

  @Get('search')
  async search(
    @Member() user: AuthenticatedUser,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
  ) {
    const q = param(query['q'])?.trim();
    if (!q) throw new AppException(AppErrorCode.BadUserInput, 'Validation failed: q is missing');
    const type = param(query['type']);
    if (type !== null && !(type in TYPES))
      throw new AppException(
        AppErrorCode.BadUserInput,
        `Validation failed: type must be one of ${Object.keys(TYPES).join(', ')}`,
      );
    const limit = pageLimit(query['limit']);
    const offset = Math.min(Number(param(query['offset']) ?? 0) || 0, MAX_OFFSET + 1);
    const ctx = this.context.of(req);
    const wanted = (t: SearchType) => type === null || type === t;
    const [statuses, accounts, hashtags] = await Promise.all([
      wanted('statuses') ? this.statuses(user, q, limit, offset, ctx) : [],
      wanted('accounts') ? this.accounts(user, q, limit, offset, ctx) : [],
      wanted('hashtags') ? this.hashtags(user, q, limit, offset, ctx) : [],
    ]);
    return { accounts, statuses, hashtags };
  }

  private async statuses(
    user: AuthenticatedUser,
    q: string,
    limit: number,
    offset: number,
    ctx: EntityContext,
  ) {
    const found = await this.results(user, q, SearchKind.Posts, (r) => r.posts, limit, offset);
    const data = await this.access.postsByIds(found.map((p) => BigInt(p.post.id)));
    return this.presenter.statuses(
      user.id,
      found.flatMap((p) => {
        const post = data.get(BigInt(p.post.id));
        return post ? [{ postId: p.post.id, post, reason: null }] : [];
      }),
      ctx,
    );
  }

  private async accounts(
    user: AuthenticatedUser,
    q: string,
    limit: number,
    offset: number,
    ctx: EntityContext,
  ) {
    const people = await this.results(user, q, SearchKind.People, (r) => r.people, limit, offset);
    const ids = await this.ids.ids(
      people.map(({ profile }) => ({
        kind: 'ACCOUNT' as const,
        key: accountKey(profile.network as 'BLUESKY' | 'MASTODON', profile.networkId),
        at: Date.now(),
      })),
    );
    return people.map(({ profile }) => toProfileAccount(profile, ids, ctx));
  }

  private async hashtags(
    user: AuthenticatedUser,
    q: string,
    limit: number,
    offset: number,
    ctx: EntityContext,
  ) {
    const tags = await this.results(user, q, SearchKind.Hashtags, (r) => r.hashtags, limit, offset);
    return tags.map((t) => ({
      // Tributary keeps no hashtags of its own: a stable number from the name stands for an id.
      id: BigInt(
        `0x${createHash('sha256').update(t.name.toLowerCase()).digest('hex').slice(0, 12)}`,
      ).toString(),
      name: t.name,
      url: t.webUrl ?? `${ctx.baseUrl}/tags/${encodeURIComponent(t.name)}`,
      history: [],
    }));
  }

  /** `limit` results after the first `offset`, reading the merged search page by page. */
  private async results<T>(
    user: AuthenticatedUser,
    query: string,
    kind: SearchKind,
    pick: (r: SearchResultsModel) => T[],
    limit: number,
    offset: number,
  ): Promise<T[]> {
    if (offset > MAX_OFFSET) return [];
    const out: T[] = [];
    let after: string | null = null;
    for (let skipped = 0, pages = 1; ; pages++) {
      const first: number = Math.min(PAGE, offset - skipped + limit - out.length);
      const page: SearchResultsModel = await this.searches.search(user.id, {
        query,
        kind,
        first,
        after,
        includeHidden: false,
        networks: null,
        accounts: null,
      });
      const items = pick(page);
      const skip = Math.max(0, Math.min(items.length, offset - skipped));
      skipped += skip;
      out.push(...items.slice(skip, skip + limit - out.length));
      if (out.length >= limit || !page.pageInfo.hasNextPage || pages >= MAX_PAGES) return out;
      after = page.pageInfo.endCursor;
    }
  }
}
