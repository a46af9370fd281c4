// Hydration from the operator's AppView (BLUESKY_APPVIEW_URL, by default Bluesky's public one):
// what the stream announces is fetched here once for the whole community, in batches of 25 (the
// most `getPosts` and `getProfiles` take), without any member's session. Its answers are the
// network's word (NETWORK_TRUST_DOMAIN): the operator chose this service.
import { AtpAgent } from '@atproto/api';
import { ConnectorError, ConnectorErrorCode } from '@tributary/core';
import type { Author, IngestedItem, Post, SkippedItem } from '@tributary/core';
import { normalizeAuthor, normalizeFeedViewPost, normalizePostView } from './normalize-post.js';
import { createPoliteFetch } from './polite-fetch.js';
import type { PoliteFetchOptions } from './polite-fetch.js';
import { toConnectorError } from './to-connector-error.js';

/** `app.bsky.feed.getPosts` and `app.bsky.actor.getProfiles` take at most 25 each. */
export const APPVIEW_BATCH = 25;

export interface AppViewClientOptions {
  /** e.g. `https://public.api.bsky.app`. */
  service: string;
  rateLimit?: PoliteFetchOptions;
}

export interface HydratedPosts {
  /** By URI; a URI the AppView does not know (not indexed yet, deleted) is absent. */
  posts: Map<string, Post>;
  skipped: SkippedItem[];
}

function batches<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += APPVIEW_BATCH) out.push(items.slice(i, i + APPVIEW_BATCH));
  return out;
}

/** A Bluesky list (`app.bsky.graph.list`) as the AppView shows it, with its members. */
export interface BlueskyListView {
  uri: string;
  name: string;
  /** `modlist`, `curatelist` or `referencelist` (the lexicon's token without its prefix). */
  purpose: string;
  description: string | null;
  members: { did: string; handle: string }[];
}

const LIST_URI = /^at:\/\/(did:[a-z]+:[a-zA-Z0-9._:%-]+)\/app\.bsky\.graph\.list\/([a-zA-Z0-9._~:-]{1,512})$/;

export class AppViewClient {
  private readonly agent: AtpAgent;

  constructor(options: AppViewClientOptions) {
    this.agent = new AtpAgent({ service: options.service, fetch: createPoliteFetch(options.rateLimit) });
  }

  /**
   * Post views for these URIs, normalized; one request per 25. Failures are ConnectorErrors.
   * `labelers`: whose labels to ask for besides the network's (`atproto-accept-labelers`); they
   * come back as personal labels (Label.personal), for the caller to hand to their subscribers only.
   */
  async posts(uris: readonly string[], labelers: readonly string[] = []): Promise<HydratedPosts> {
    const posts = new Map<string, Post>();
    const skipped: SkippedItem[] = [];
    const headers =
      labelers.length > 0
        ? { 'atproto-accept-labelers': [...new Set(labelers)].sort().join(', ') }
        : undefined;
    for (const batch of batches([...new Set(uris)])) {
      const views = await this.call(
        'getPosts',
        async () =>
          (await this.agent.getPosts({ uris: batch }, headers ? { headers } : undefined)).data.posts,
      );
      for (const view of views) {
        const result = normalizePostView(view);
        if (result.ok) posts.set(result.post.uri, result.post);
        else skipped.push(result.skipped);
      }
    }
    return { posts, skipped };
  }

  /** Authors for these DIDs; one request per 25. An account the AppView does not know is absent. */
  async authors(dids: readonly string[]): Promise<Map<string, Author>> {
    const out = new Map<string, Author>();
    for (const batch of batches([...new Set(dids)])) {
      const profiles = await this.call(
        'getProfiles',
        async () => (await this.agent.getProfiles({ actors: batch })).data.profiles,
      );
      for (const profile of profiles) {
        const author = normalizeAuthor(profile);
        if (author) out.set(author.networkId, author);
      }
    }
    return out;
  }

  /**
   * An account's newest posts, replies and reposts (`getAuthorFeed`, posts_with_replies, no pinned
   * post): one request of at most `limit` (100).
   */
  async authorFeed(actor: string, limit: number): Promise<{ items: IngestedItem[]; skipped: SkippedItem[] }> {
    const feed = await this.call(
      'getAuthorFeed',
      async () =>
        (await this.agent.getAuthorFeed({ actor, limit: Math.min(limit, 100), filter: 'posts_with_replies' }))
          .data.feed,
    );
    const items: IngestedItem[] = [];
    const skipped: SkippedItem[] = [];
    for (const entry of feed) {
      const result = normalizeFeedViewPost(entry);
      if (result.ok) items.push(result.item);
      else skipped.push(result.skipped);
    }
    return { items, skipped };
  }

  /**
   * A list and its members, page by page (100 a request). More than `maxMembers` members is a
   * BAD_INPUT ConnectorError; an unknown list, NOT_FOUND.
   */
  async list(uri: string, maxMembers: number): Promise<BlueskyListView> {
    if (!LIST_URI.test(uri))
      throw new ConnectorError(
        ConnectorErrorCode.BadInput,
        `not the at:// URI of a Bluesky list: ${uri.slice(0, 200)}`,
      );
    const members: { did: string; handle: string }[] = [];
    let cursor: string | undefined;
    let view: { name: string; purpose: string; description?: string } | undefined;
    do {
      const page = await this.call(
        'getList',
        async () =>
          (await this.agent.app.bsky.graph.getList({ list: uri, limit: 100, ...(cursor ? { cursor } : {}) }))
            .data,
      );
      view ??= page.list;
      for (const item of page.items) members.push({ did: item.subject.did, handle: item.subject.handle });
      if (members.length > maxMembers)
        throw new ConnectorError(ConnectorErrorCode.BadInput, `the list has more than ${maxMembers} members`);
      cursor = page.items.length > 0 ? page.cursor : undefined;
    } while (cursor);
    return {
      uri,
      name: view!.name,
      purpose: view!.purpose.replace(/^app\.bsky\.graph\.defs#/, ''),
      description: view!.description ?? null,
      members,
    };
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toConnectorError(err, what);
    }
  }
}
