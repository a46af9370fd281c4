import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';
import type { Network, SearchKind } from '@tributary/core';
import { NetworkEnum } from '../accounts/linked-account.model.js';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { SearchKindEnum, SearchResultsModel } from './search.model.js';
import { MAX_QUERY_LENGTH, MAX_SEARCH_PAGE, SearchService } from './search.service.js';

@Resolver()
export class SearchResolver {
  constructor(private readonly searches: SearchService) {}

  @Query(() => SearchResultsModel, {
    description:
      'Searches your networks through your linked accounts (Bluesky searchPosts / searchActors, Mastodon /api/v2/search on your instance, nothing resolved on other servers), merged into one page; posts through the mute and dedupe stages of your default pipeline. A network that fails is reported in `networks`, beside the others’ results.',
  })
  search(
    @CurrentUser() user: AuthenticatedUser,
    @Args('query', { description: `What to look for, at most ${MAX_QUERY_LENGTH} characters.` })
    query: string,
    @Args('kind', { type: () => SearchKindEnum, defaultValue: 'POSTS' }) kind: SearchKind,
    @Args('first', { type: () => Int, defaultValue: 20, description: `1 to ${MAX_SEARCH_PAGE}.` })
    first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Args('includeHidden', { defaultValue: false, description: 'Also posts your mute stages hid, with why.' })
    includeHidden: boolean,
    @Args('networks', {
      type: () => [NetworkEnum],
      nullable: true,
      description: 'Only these networks (default: every network you have an account on).',
    })
    networks: Network[] | null,
    @Args('accounts', {
      type: () => [ID],
      nullable: true,
      description:
        'Search through exactly these linked accounts (default: your oldest usable one per network).',
    })
    accounts: string[] | null,
  ): Promise<SearchResultsModel> {
    return this.searches.search(user.id, {
      query,
      kind,
      first,
      after: after ?? null,
      includeHidden,
      networks: networks ?? null,
      accounts: accounts ?? null,
    });
  }
}
