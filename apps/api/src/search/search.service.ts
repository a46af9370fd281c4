import { Injectable, Logger } from '@nestjs/common';
import { AccountStatus, Network, SearchKind } from '@tributary/core';
import type { NetworkConnector, Post, SearchHit, SkippedItem } from '@tributary/core';
import { PrismaService, recordSkipped } from '@tributary/db';
import type { LinkedAccount } from '@tributary/db';
import { bridgedOrigin, compileSearchFilters } from '@tributary/pipeline';
import type { SearchFilters } from '@tributary/pipeline';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { isUuid } from '../common/ids.js';
import { toPostModel } from '../posts/post.model.js';
import { ProfilesService } from '../profiles/profiles.service.js';
import { decodeSearchCursor, encodeSearchCursor, shownKey } from './search-cursor.js';
import type { SearchCursor, SearchState } from './search-cursor.js';
import { advance, mergeHashtags, mergePeople, mergeStreams } from './search-merge.js';
import type { SearchStream, Taken } from './search-merge.js';
import type {
  SearchHashtagModel,
  SearchNetworkModel,
  SearchPersonModel,
  SearchPostModel,
  SearchResultsModel,
} from './search.model.js';

export const MAX_SEARCH_PAGE = 40;
export const MAX_QUERY_LENGTH = 256;
const NETWORK_NAME = { BLUESKY: 'Bluesky', MASTODON: 'Mastodon' } as const;

export interface SearchRequest {
  query: string;
  kind: SearchKind;
  first: number;
  after: string | null;
  includeHidden: boolean;
  networks: Network[] | null;
  accounts: string[] | null;
}

/** One account to search through, or why a network cannot be searched. */
type Target = { account: LinkedAccount } | { network: Network; error: AppException };

/** What one account's search answered: its hits, or the failure that stands for them. */
type Answer<T> =
  | { account: LinkedAccount; hits: SearchHit<T>[]; extra?: { skipped: SkippedItem[]; trustDomain: string } }
  | { account: LinkedAccount; error: AppException };

/**
 * Searches each of the member's networks through their linked account there (or the accounts they
 * name), at once, and merges the answers into one page: posts newest first and stored (so they can
 * be opened and acted on), through the mute and dedupe stages of the member's default pipeline;
 * people and hashtags by turns, one result per person (a Bridgy Fed copy joins its original) and
 * per hashtag. A network that fails leaves its error beside the others' results.
 */
@Injectable()
export class SearchService {
  private readonly logger = new Logger(SearchService.name);

  constructor(
    private readonly db: PrismaService,
    private readonly profiles: ProfilesService,
  ) {}

  async search(userId: string, request: SearchRequest): Promise<SearchResultsModel> {
    const query = request.query.trim();
    if (!query)
      throw new AppException(AppErrorCode.BadUserInput, 'query: say what to search for', { field: 'query' });
    if (query.length > MAX_QUERY_LENGTH)
      throw new AppException(AppErrorCode.BadUserInput, `query: at most ${MAX_QUERY_LENGTH} characters`, {
        field: 'query',
      });
    if (!Number.isInteger(request.first) || request.first < 1 || request.first > MAX_SEARCH_PAGE)
      throw new AppException(AppErrorCode.BadUserInput, `first: must be between 1 and ${MAX_SEARCH_PAGE}`, {
        field: 'first',
      });
    const cursor: SearchCursor = request.after
      ? decodeSearchCursor(request.kind, query, request.after)
      : { positions: new Map(), shown: [] };
    const targets = await this.targets(userId, request.networks, request.accounts);
    const searched = targets.flatMap((t) => ('account' in t ? [t.account] : []));
    const unusable = targets.flatMap((t) => ('error' in t ? [t] : []));
    const page: Page = { query, state: cursor.positions, shown: cursor.shown, first: request.first };
    const result: Merged & {
      shown?: string[];
      posts?: SearchPostModel[];
      people?: SearchPersonModel[];
      hashtags?: SearchHashtagModel[];
    } =
      request.kind === SearchKind.Posts
        ? await this.posts(userId, searched, page, request.includeHidden)
        : request.kind === SearchKind.People
          ? await this.people(searched, page)
          : await this.hashtags(searched, page);
    const networks: SearchNetworkModel[] = [
      ...result.answers.map((a) => ({
        network: a.account.network,
        linkedAccountId: a.account.id,
        found: 'hits' in a ? a.hits.length : 0,
        error: 'error' in a ? a.error.message : null,
        errorCode: 'error' in a ? a.error.code : null,
      })),
      ...unusable.map((u) => ({
        network: u.network,
        linkedAccountId: null,
        found: 0,
        error: u.error.message,
        errorCode: u.error.code,
      })),
    ];
    const answered = result.answers.flatMap((a) => ('hits' in a ? [a.account.id] : []));
    const hasNextPage = answered.some((id) => result.state.get(id)?.done === false);
    return {
      kind: request.kind,
      posts: result.posts ?? [],
      people: result.people ?? [],
      hashtags: result.hashtags ?? [],
      networks,
      pageInfo: {
        hasNextPage,
        endCursor: hasNextPage
          ? encodeSearchCursor(request.kind, query, {
              positions: result.state,
              shown: [...page.shown, ...(result.shown ?? [])],
            })
          : null,
      },
    };
  }

  private async posts(
    userId: string,
    accounts: LinkedAccount[],
    page: Page,
    includeHidden: boolean,
  ): Promise<Merged & { posts: SearchPostModel[]; shown: string[] }> {
    const answers = await this.ask(accounts, page.state, async (c, cursor) => {
      const found = await c.searchPosts(page.query, cursor, page.first);
      return { hits: found.hits, extra: { skipped: found.skipped, trustDomain: found.trustDomain } };
    });
    const { taken, state } = this.merge(answers, page, (post) => Date.parse(post.createdAt) || 0);
    // Stored first: a result is a post the member may open, like, reply to.
    const ids = new Map<Taken<Post>, bigint>();
    for (const answer of answers) {
      if (!('hits' in answer)) continue;
      const mine = taken.filter((t) => t.accountId === answer.account.id);
      const stored = await this.profiles.remember(
        answer.account,
        mine.map((t) => t.value),
        answer.extra!.trustDomain,
      );
      for (const t of mine) ids.set(t, stored.get(t.value.uri)!);
      if (answer.extra!.skipped.length > 0)
        await recordSkipped(this.db.client, answer.account.network, answer.account.id, answer.extra!.skipped);
    }
    const filters = await this.filtersOf(userId);
    const results = await filters.judge(
      taken.map((t) => ({
        post: t.value,
        reason: null,
        seenIn: [
          { network: t.value.network, linkedAccountId: t.accountId, sourceId: 'search', uri: t.value.uri },
        ],
      })),
    );
    // A copy of a post an earlier page showed is left out, as a copy in this page is merged.
    const shownBefore = new Set(page.shown);
    const keys = taken.map((t) => exactKeys(t.value).map(shownKey));
    const posts = taken.flatMap((t, i): SearchPostModel[] => {
      const r = results[i]!;
      if (r.duplicateOf !== null || (r.hidden && !includeHidden)) return [];
      if (keys[i]!.some((k) => shownBefore.has(k))) return [];
      const { raw: _raw, ...data } = t.value;
      return [
        {
          post: toPostModel(ids.get(t)!, data),
          foundBy: r.seenIn.map(({ network, linkedAccountId, uri }) => ({ network, linkedAccountId, uri })),
          hidden: r.hidden,
          hiddenReason: r.hiddenReason,
          decisions: r.decisions,
          warnings: r.decisions
            .filter((d) => d.verdict === 'warn' || d.verdict === 'blur')
            .map((d) => `${d.verdict}: ${d.reason ?? d.stage}`),
        },
      ];
    });
    return { answers, state, posts, shown: keys.flat() };
  }

  private async people(
    accounts: LinkedAccount[],
    page: Page,
  ): Promise<Merged & { people: SearchPersonModel[] }> {
    const answers = await this.ask(accounts, page.state, async (c, cursor) => ({
      hits: (await c.searchPeople(page.query, cursor, page.first)).hits,
    }));
    const { taken, state } = this.merge(answers, page);
    const people = mergePeople(taken).map(({ profile, linkedAccountId, sameAs }) => ({
      profile: { ...profile, linkedAccountId },
      sameAs,
    }));
    return { answers, state, people };
  }

  private async hashtags(
    accounts: LinkedAccount[],
    page: Page,
  ): Promise<Merged & { hashtags: SearchHashtagModel[] }> {
    const answers = await this.ask(accounts, page.state, async (c, cursor) => ({
      hits: (await c.searchHashtags(page.query, cursor, page.first)).hits,
    }));
    const networkOf = new Map(accounts.map((a) => [a.id, a.network]));
    const { taken, state } = this.merge(answers, page);
    const hashtags = mergeHashtags(taken, (id) => networkOf.get(id)!);
    return { answers, state, hashtags };
  }

  /** Every account's search at once; a failure is that account's answer, not the query's. */
  private ask<T>(
    accounts: LinkedAccount[],
    state: SearchState,
    read: (
      connector: NetworkConnector,
      cursor: string | null,
    ) => Promise<{ hits: SearchHit<T>[]; extra?: { skipped: SkippedItem[]; trustDomain: string } }>,
  ): Promise<Answer<T>[]> {
    const open = accounts.filter((a) => state.get(a.id)?.done !== true);
    return Promise.all(
      open.map(async (account): Promise<Answer<T>> => {
        try {
          const found = await this.profiles.call(account, (c) =>
            read(c, state.get(account.id)?.cursor ?? null),
          );
          return { account, ...found };
        } catch (error) {
          if (!(error instanceof AppException)) {
            this.logger.warn(`search through ${account.id} failed: ${(error as Error).message}`);
            return {
              account,
              error: new AppException(
                AppErrorCode.UpstreamUnavailable,
                `${NETWORK_NAME[account.network]} search failed`,
              ),
            };
          }
          return { account, error };
        }
      }),
    );
  }

  private merge<T>(answers: Answer<T>[], page: Page, time?: (value: T) => number) {
    const streams: SearchStream<T>[] = answers.flatMap((a) =>
      'hits' in a ? [{ accountId: a.account.id, hits: a.hits }] : [],
    );
    const { taken, counts } = mergeStreams(streams, page.first, time);
    return { taken, state: advance(page.state, streams, counts) };
  }

  /**
   * The accounts to search through: those named, else the member's oldest usable account on each
   * network asked for (default: every network they have an account on). A network with no usable
   * account is reported, not fatal.
   */
  private async targets(
    userId: string,
    networks: Network[] | null,
    accountIds: string[] | null,
  ): Promise<Target[]> {
    const linked = await this.db.client.linkedAccount.findMany({
      where: { userId },
      orderBy: { createdAt: 'asc' },
    });
    const wanted = networks?.length ? [...new Set(networks)] : [...new Set(linked.map((a) => a.network))];
    if (accountIds?.length) {
      const named = [...new Set(accountIds)].map((id) =>
        isUuid(id) ? linked.find((a) => a.id === id) : undefined,
      );
      if (named.some((a) => a === undefined))
        throw new AppException(AppErrorCode.NotFound, 'linked account not found');
      const stray = named.find((a) => networks?.length && !wanted.includes(a!.network));
      if (stray)
        throw new AppException(
          AppErrorCode.BadUserInput,
          `accounts: @${stray.handle} is on ${NETWORK_NAME[stray.network]}, which networks does not name`,
          { field: 'accounts' },
        );
      return named.map((a) => this.usable(a!));
    }
    if (wanted.length === 0)
      throw new AppException(
        AppErrorCode.BadUserInput,
        'link a Bluesky or Mastodon account to search its network',
      );
    return wanted.map((network) => {
      const mine = linked.filter((a) => a.network === network);
      const account = mine.find((a) => a.status !== AccountStatus.NeedsReauth) ?? mine[0];
      if (!account)
        return {
          network,
          error: new AppException(
            AppErrorCode.BadUserInput,
            `you have no linked ${NETWORK_NAME[network]} account`,
          ),
        };
      return this.usable(account);
    });
  }

  private usable(account: LinkedAccount): Target {
    if (account.status !== AccountStatus.NeedsReauth) return { account };
    return {
      network: account.network,
      error: new AppException(
        AppErrorCode.BadUserInput,
        `the ${NETWORK_NAME[account.network]} account @${account.handle} needs to be linked again`,
      ),
    };
  }

  /** The search stages of the member's default pipeline (dedupe alone without one, or with a spec that no longer parses). */
  private async filtersOf(userId: string): Promise<SearchFilters> {
    const pipeline = await this.db.client.pipeline.findFirst({
      where: { userId, isDefault: true },
      select: { spec: true },
    });
    try {
      return compileSearchFilters(pipeline?.spec ?? { name: 'none', stages: [] });
    } catch (error) {
      this.logger.warn(`search stages of ${userId} not usable: ${(error as Error).message}`);
      return compileSearchFilters({ name: 'none', stages: [] });
    }
  }
}

interface Page {
  query: string;
  state: SearchState;
  /** Hashed keys of the posts earlier pages showed. */
  shown: string[];
  first: number;
}

/** What makes two search results one post: its URI, its web address, the original of a Bridgy Fed copy. */
function exactKeys(post: Post): string[] {
  const origin = bridgedOrigin(post);
  return [post.uri, ...(post.webUrl ? [post.webUrl] : []), ...(origin ? [origin] : [])];
}

interface Merged {
  answers: Answer<unknown>[];
  state: SearchState;
}
