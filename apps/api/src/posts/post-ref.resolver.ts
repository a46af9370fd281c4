import { Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { PerRequestLoaders } from '../common/per-request-loader.js';
import { PostAccessService } from './post-access.service.js';
import type { RefContext } from './post-access.service.js';
import { PostRefModel } from './post.model.js';

const UNKNOWN: RefContext = { authorHandle: null, authorDisplayName: null, text: null };

/**
 * A reply's context on its parent and root refs: what the network showed beside the post (stored
 * with it: a Bluesky feed's reply context), else a stored copy of the referenced post the caller
 * may read (a Mastodon reply's parent, a Bluesky parent by someone they follow), else null. Read
 * for a whole page at once.
 */
@Resolver(() => PostRefModel)
export class PostRefResolver {
  /** One loader per request context; no cache, so a long-lived subscription never reads stale posts. */
  private readonly loaders = new PerRequestLoaders<string, RefContext>();

  constructor(private readonly access: PostAccessService) {}

  @ResolveField(() => String, {
    nullable: true,
    description:
      "The referenced post's author's handle, when known (`alice.bsky.social`, `bob@example.social`).",
  })
  authorHandle(@Parent() ref: PostRefModel, @CurrentUser() user: AuthenticatedUser, @Context() ctx: object) {
    return this.context(ref, user, ctx).then((c) => c.authorHandle);
  }

  @ResolveField(() => String, {
    nullable: true,
    description: "The referenced post's author's name, when known.",
  })
  authorDisplayName(
    @Parent() ref: PostRefModel,
    @CurrentUser() user: AuthenticatedUser,
    @Context() ctx: object,
  ) {
    return this.context(ref, user, ctx).then((c) => c.authorDisplayName);
  }

  @ResolveField(() => String, {
    nullable: true,
    description: "The referenced post's plain text, when known.",
  })
  text(@Parent() ref: PostRefModel, @CurrentUser() user: AuthenticatedUser, @Context() ctx: object) {
    return this.context(ref, user, ctx).then((c) => c.text);
  }

  private context(ref: PostRefModel, user: AuthenticatedUser, ctx: object): Promise<RefContext> {
    if (ref.text !== undefined) {
      return Promise.resolve({
        authorHandle: ref.authorHandle ?? null,
        authorDisplayName: ref.authorDisplayName ?? null,
        text: ref.text,
      });
    }
    if (!ref.network) return Promise.resolve(UNKNOWN);
    const loader = this.loaders.of(ctx, async (keys) => {
      const refs = keys.map((key) => {
        const space = key.indexOf(' ');
        return { network: key.slice(0, space), uri: key.slice(space + 1) };
      });
      const found = await this.access.refContexts(user.id, refs);
      return keys.map((key) => found.get(key) ?? UNKNOWN);
    });
    return loader.load(`${ref.network} ${ref.uri}`);
  }
}
