import {
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { RelationshipChange } from '@tributary/core';
import type { Network, Relationship } from '@tributary/core';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { Public } from '../auth/public.decorator.js';
import { ActionsService } from '../actions/actions.service.js';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { ProfilesService } from '../profiles/profiles.service.js';
import type { Request, Response } from './http-types.js';
import { parseAccountKey } from './ids/id-keys.js';
import { MastodonIds } from './ids/mastodon-ids.service.js';
import { MastodonApiExceptionFilter } from './mastodon-api.exception.js';
import { MastodonAuthGuard, Member } from './mastodon-auth.guard.js';
import { MastodonContext } from './mastodon-context.js';
import { pageLimit, param } from './pagination.js';
import type { PageParams } from './pagination.js';
import { StatusPresenter } from './status-presenter.service.js';

const NONE: Relationship = {
  following: false,
  followedBy: false,
  muted: false,
  blocked: false,
  blockedBy: false,
};
/** Network cursors travel in `max_id` with this prefix; a status id there is not one of ours. */
const CURSOR = 'c:';

const CHANGES: Record<string, { change: RelationshipChange; then: Partial<Relationship> }> = {
  follow: { change: RelationshipChange.Follow, then: { following: true } },
  unfollow: { change: RelationshipChange.Unfollow, then: { following: false } },
  mute: { change: RelationshipChange.Mute, then: { muted: true } },
  unmute: { change: RelationshipChange.Unmute, then: { muted: false } },
  block: { change: RelationshipChange.Block, then: { blocked: true, following: false } },
  unblock: { change: RelationshipChange.Unblock, then: { blocked: false } },
};

/**
 * Someone's statuses and the member's relationship with them, read from their network through the
 * member's linked account there (as GraphQL's `author` and `authorPosts`); follow, mute and block
 * queue the same actions as GraphQL. Registered before AccountsController: `accounts/relationships`
 * must not be taken for an account id.
 */
@Public()
@UseGuards(MastodonAuthGuard)
@UseFilters(MastodonApiExceptionFilter)
@Controller('api/v1')
export class ProfilesController {
  constructor(
    private readonly profiles: ProfilesService,
    private readonly actions: ActionsService,
    private readonly ids: MastodonIds,
    private readonly presenter: StatusPresenter,
    private readonly context: MastodonContext,
  ) {}

  @Get('accounts/relationships')
  async relationships(@Member() user: AuthenticatedUser, @Query() query: Record<string, unknown>) {
    // Apps send `id[]=…` (Rails style) or `id=…`.
    const given = [query['id[]'], query['id']].flat();
    const ids = given.filter((v): v is string => typeof v === 'string').slice(0, 40);
    const out = [];
    for (const accountId of ids) {
      const person = await this.person(accountId);
      const relationship = person ? await this.relationship(user, person) : NONE;
      out.push(toRelationship(accountId, relationship));
    }
    return out;
  }

  @Get('accounts/:id/statuses')
  async statuses(
    @Member() user: AuthenticatedUser,
    @Param('id') id: string,
    @Query() query: PageParams,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const person = await this.person(id);
    // The member's own account is Tributary's: its posts are on the networks' accounts.
    if (!person) return [];
    const maxId = param(query.max_id);
    if (maxId !== null && !maxId.startsWith(CURSOR)) return [];
    const page = await this.profiles.fetchPosts(
      user.id,
      person.networkId,
      null,
      maxId?.slice(CURSOR.length) ?? null,
      pageLimit(query.limit, 40),
    );
    if (page.nextCursor) {
      const next = new URL(this.context.url(req));
      next.searchParams.set('max_id', `${CURSOR}${page.nextCursor}`);
      res.setHeader('Link', `<${next.href}>; rel="next"`);
    }
    return this.presenter.statuses(
      user.id,
      page.items.map((i) => ({ postId: String(i.id), post: i.post, reason: i.reason })),
      this.context.of(req),
    );
  }

  @Post(Object.keys(CHANGES).map((verb) => `accounts/:id/${verb}`))
  @HttpCode(200)
  async relate(@Member() user: AuthenticatedUser, @Param('id') id: string, @Req() req: Request) {
    const verb = new URL(this.context.url(req)).pathname.split('/').pop() ?? '';
    const person = await this.person(id);
    if (!person)
      throw new AppException(AppErrorCode.BadUserInput, 'This action is not allowed on your own account');
    const { change, then } = CHANGES[verb]!;
    const now = await this.relationship(user, person);
    await this.actions.relate(user.id, change, person.networkId, person.network, null);
    // The action is queued: the relationship as it will stand once the network has it.
    return toRelationship(id, { ...now, ...then });
  }

  /** The person an account id names; null for the member's own account; NOT_FOUND for anything else. */
  private async person(accountId: string): Promise<{ network: Network; networkId: string } | null> {
    const named = await this.ids.resolve(accountId);
    if (named?.kind !== 'ACCOUNT') throw new AppException(AppErrorCode.NotFound, 'Record not found');
    if (named.key.startsWith('member ')) return null;
    const person = parseAccountKey(named.key);
    if (!person) throw new AppException(AppErrorCode.NotFound, 'Record not found');
    return person;
  }

  private async relationship(user: AuthenticatedUser, person: { networkId: string }): Promise<Relationship> {
    return (await this.profiles.profile(user.id, person.networkId, 'id', null)).relationship;
  }
}

function toRelationship(id: string, r: Relationship) {
  return {
    id,
    following: r.following,
    showing_reblogs: r.following,
    notifying: false,
    languages: null,
    followed_by: r.followedBy,
    blocking: r.blocked,
    blocked_by: r.blockedBy,
    muting: r.muted,
    muting_notifications: r.muted,
    muting_expires_at: null,
    requested: false,
    requested_by: false,
    domain_blocking: false,
    endorsed: false,
    note: '',
  };
}
