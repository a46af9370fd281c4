// The connector against the real reference network (@atproto/dev-env: PLC + PDS + AppView),
// started once per run by the integration project's global setup.
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectorError, ConnectorErrorCode, SourceKind } from '@tributary/core';
import type { IngestedItem, SourceRef } from '@tributary/core';
import { blueskyNetwork, blueskyTestHostPolicy } from '../../../testing/src/bluesky-network.js';
import { startCountingProxy } from '../../../testing/src/bluesky/counting-proxy.js';
import { HostilePds } from '../../../testing/src/bluesky/hostile-pds.js';
import type { BlueskyNetworkClient } from '../../../testing/src/bluesky-network.js';
import { BlueskyConnector, BlueskySession, subscribeRepos } from '../src/index.js';
import type { BlueskySessionData, BlueskySessionStore, RepoEvent } from '../src/index.js';
import { faultyFetch } from './fault-fetch.js';
import { seedTimeline } from '../../../testing/src/bluesky/seed-timeline.js';
import type { SeededTimeline } from '../../../testing/src/bluesky/seed-timeline.js';

// The first file to need the network may wait for it to finish starting (3–20 s).
jest.setTimeout(60_000);

const HOME: SourceRef = { kind: SourceKind.Home, externalId: '' };
const realNow = Date.now.bind(Date);

let net: BlueskyNetworkClient;
let seeded: SeededTimeline;

beforeAll(async () => {
  net = await blueskyNetwork();
  seeded = await seedTimeline(net);
}, 150_000);

async function link(
  account = seeded.viewer,
  extra: Partial<Parameters<typeof BlueskySession.login>[0]> = {},
) {
  const session = await BlueskySession.login({
    service: net.info.pdsUrl,
    hostPolicy: net.hostPolicy,
    identifier: account.handle,
    password: account.appPassword,
    ...extra,
  });
  return { session, connector: new BlueskyConnector(session) };
}

const keyOf = (i: IngestedItem) => (i.reason ? `repost:${i.reason.uri}` : i.post.uri);

async function expectConnectorError(
  promise: Promise<unknown>,
  code: ConnectorErrorCode,
): Promise<ConnectorError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).code).toBe(code);
    return err as ConnectorError;
  }
  throw new Error(`expected ConnectorError(${code})`);
}

describe('linking and the home timeline', () => {
  it('logs in with an app password, gives the session to store and brings the whole timeline normalized', async () => {
    const { session, connector } = await link();
    expect(session.did).toBe(seeded.viewer.did);
    expect(session.data).toMatchObject({
      did: seeded.viewer.did,
      handle: seeded.viewer.handle,
      service: `${net.info.pdsUrl}/`,
      // The reference PDS sends no DID document with sessions: calls go to the service itself.
      pdsUrl: `${net.info.pdsUrl}/`,
      accessExpiresAt: expect.any(Number),
    });

    const { items, skipped, marker, complete } = await connector.fetchNewer(HOME, null, 100);
    expect(skipped).toEqual([]);
    expect(complete).toBe(true);
    expect(marker).not.toBeNull();
    const p = seeded.posts;
    const byUri = (uri: string, repost = false) =>
      items.find((i) => i.post.uri === uri && Boolean(i.reason) === repost)?.post;

    // With the parent's author and text, as the timeline showed them beside the reply.
    expect(byUri(p.reply.uri)?.replyParent).toMatchObject({
      uri: p.richText.uri,
      authorNetworkId: seeded.alice.did,
      authorHandle: seeded.alice.handle,
      text: byUri(p.richText.uri)?.text,
    });
    const repost = items.find((i) => i.reason);
    expect(repost?.post.uri).toBe(p.richText.uri);
    expect(repost?.reason).toMatchObject({
      uri: p.repost.uri,
      by: { networkId: seeded.bob.did, handle: seeded.bob.handle },
    });
    expect(byUri(p.quote.uri)?.quote?.uri).toBe(p.richText.uri);
    expect(byUri(p.image.uri)?.media[0]).toMatchObject({
      type: 'image',
      altText: 'A red rectangle',
      width: 4,
      height: 3,
    });
    expect(byUri(p.linkCard.uri)?.linkCard).toMatchObject({
      url: 'https://example.com/article',
      title: 'An article',
    });
    expect(byUri(p.selfLabelled.uri)?.labels).toEqual([
      { value: 'graphic-media', source: seeded.alice.did, action: 'blur' },
    ]);
    // The viewer subscribes to the labeler; the connector asks for its labels from the preferences.
    expect(byUri(p.labellerLabelled.uri)?.labels).toEqual([
      { value: 'rude', source: net.info.labelerDid, action: null, personal: true },
    ]);
    expect(byUri(p.recordWithMedia.uri)?.quote?.uri).toBe(p.image.uri);
    const rich = byUri(p.richText.uri);
    expect(
      rich?.richText.segments.filter((s) => s.type !== 'text' && s.type !== 'linebreak').map((s) => s.type),
    ).toEqual(['mention', 'link', 'hashtag']);
    expect(rich?.counts).toMatchObject({ replies: 1, reposts: 1, quotes: 1 });
    expect(byUri(p.video.uri)?.media[0]).toMatchObject({
      type: 'video',
      altText: 'A short clip',
      width: 16,
      height: 9,
    });
    // Nine posts, one of them twice (posted and reposted).
    expect(items).toHaveLength(10);
  });

  it('gives a clear AUTH error for a wrong password', async () => {
    const err = await expectConnectorError(
      BlueskySession.login({
        service: net.info.pdsUrl,
        hostPolicy: net.hostPolicy,
        identifier: seeded.viewer.handle,
        password: 'wrong-password',
      }),
      ConnectorErrorCode.Auth,
    );
    expect(err.message).toContain(`"${seeded.viewer.handle}"`);
    expect(err.message).toMatch(/app password/);
  });

  it('rejects a service URL that is not one', async () => {
    await expectConnectorError(
      BlueskySession.login({ service: 'not a url', identifier: 'a', password: 'b' }),
      ConnectorErrorCode.BadInput,
    );
  });
});

/** A local HTTP server that records every request and answers with `answer`. */
async function recordingServer(
  answer: (path: string) => unknown = () => ({}),
): Promise<{ server: Server; host: string; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(req.url ?? '')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, host: `127.0.0.1:${(server.address() as AddressInfo).port}`, paths };
}

describe('the servers a session may reach', () => {
  // A member of a shared instance names their Bluesky service, and whoever controls a DID names its
  // PDS: neither may make Tributary connect to the machine or its private network.
  it('refuses a service on a private address or over plain http, without connecting to it', async () => {
    const { server, host, paths } = await recordingServer();
    try {
      for (const service of [
        `https://${host}`,
        `http://${host}`,
        `https://localhost:${host.split(':')[1]}`,
      ]) {
        const err = await expectConnectorError(
          BlueskySession.login({ service, identifier: 'someone.test', password: 'app-pass-word' }),
          ConnectorErrorCode.BadInput,
        );
        expect(err.message).toMatch(/Bluesky service .*(not public|must use https)/);
      }
      // The reference network's PDS is on loopback too: only its allowance lets the tests in.
      await expectConnectorError(
        BlueskySession.login({ service: net.info.pdsUrl, identifier: 'a.test', password: 'b' }),
        ConnectorErrorCode.BadInput,
      );
      expect(paths).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('checks the PDS a DID document names at every connection, not only the service linked to', async () => {
    const inner = await recordingServer();
    const token = (exp: number) =>
      ['{"alg":"HS256","typ":"JWT"}', JSON.stringify({ sub: 'did:plc:ssrfprobe', exp })]
        .map((part) => Buffer.from(part).toString('base64url'))
        .concat('sig')
        .join('.');
    // An allowed "entryway" whose login answer sends the session on to a private address.
    const entryway = await recordingServer(() => ({
      did: 'did:plc:ssrfprobe',
      handle: 'probe.test',
      accessJwt: token(Math.floor(Date.now() / 1000) + 3600),
      refreshJwt: token(Math.floor(Date.now() / 1000) + 86_400),
      active: true,
      didDoc: {
        id: 'did:plc:ssrfprobe',
        alsoKnownAs: ['at://probe.test'],
        service: [
          { id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: `http://${inner.host}` },
        ],
      },
    }));
    try {
      const session = await BlueskySession.login({
        service: `http://${entryway.host}`,
        hostPolicy: { allowHosts: [entryway.host], allowHttp: true },
        identifier: 'probe.test',
        password: 'app-pass-word',
        rateLimit: { backoffMs: 1 },
      });
      expect(entryway.paths).toEqual(['/xrpc/com.atproto.server.createSession']);
      await expect(new BlueskyConnector(session).fetchNewer(HOME, null, 10)).rejects.toBeInstanceOf(
        ConnectorError,
      );
      expect(inner.paths).toEqual([]);
    } finally {
      inner.server.close();
      entryway.server.close();
    }
  });
});

describe('whose word an answer is', () => {
  // Posts are stored per trust domain (README "Security"): the network's only when a service the
  // operator trusts answered, else the answering server's, whatever service the account was linked to.
  it("is the network's when a trusted service answered, else the origin of the server that did", async () => {
    const pds = new URL(net.info.pdsUrl);
    const { session } = await link();
    const trusted = new BlueskyConnector(session, { trustedHosts: ['bsky.social', pds.host] });
    expect((await trusted.fetchNewer(HOME, null, 5)).trustDomain).toBe('');
    expect((await trusted.fetchOlder(HOME, null, 5)).trustDomain).toBe('');
    const post = seeded.posts.richText;
    expect((await trusted.fetchThread({ uri: post.uri, nativeId: post.cid })).trustDomain).toBe('');
    const untrusted = new BlueskyConnector(session, { trustedHosts: ['*.host.bsky.network'] });
    expect((await untrusted.fetchNewer(HOME, null, 5)).trustDomain).toBe(pds.origin);

    // A member's own PDS in front of the trusted one: its DID document names it, so it answers.
    const own = await HostilePds.start(net.info.pdsUrl);
    try {
      const viaOwn = await link(seeded.viewer, {
        service: own.origin,
        hostPolicy: { allowHosts: [pds.host, own.host], allowHttp: true },
      });
      const connector = new BlueskyConnector(viaOwn.session, { trustedHosts: [pds.host] });
      expect((await connector.fetchNewer(HOME, null, 5)).trustDomain).toBe(own.origin);
    } finally {
      await own.close();
    }
  });
});

describe('sessions', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('restores stored tokens without a request and refreshes them only near expiry, storing the new ones', async () => {
    const proxy = await startCountingProxy(net.info.pdsUrl);
    try {
      const hostPolicy = blueskyTestHostPolicy(proxy.url);
      const { session: linked } = await link(seeded.viewer, { service: proxy.url, hostPolicy });
      const first = linked.data as BlueskySessionData;
      let stored = first;
      const saved: BlueskySessionData[] = [];
      const store: BlueskySessionStore = {
        load: () => Promise.resolve(stored),
        save: (s) => {
          stored = s;
          saved.push(s);
          return Promise.resolve();
        },
        lock: (fn) => fn(),
      };
      proxy.reset();
      const restored = await BlueskySession.restore({ session: stored, hostPolicy, store });
      const connector = new BlueskyConnector(restored, { labelers: [] });
      expect(proxy.total()).toBe(0);
      for (let i = 0; i < 3; i++) await connector.fetchOlder(HOME, null, 5);
      expect(proxy.counts()).toEqual({ 'app.bsky.feed.getTimeline': 3 });
      expect(saved).toEqual([]);

      // This process's clock a minute before the access token expires.
      const ahead = first.accessExpiresAt! - realNow() - 60_000;
      jest.spyOn(Date, 'now').mockImplementation(() => realNow() + ahead);
      proxy.reset();
      for (let i = 0; i < 3; i++) expect((await connector.fetchOlder(HOME, null, 5)).items).toHaveLength(5);
      expect(proxy.counts()).toEqual({
        'com.atproto.server.refreshSession': 1,
        // The reference PDS leaves the DID document out of the refresh: read with getSession.
        'com.atproto.server.getSession': 1,
        'app.bsky.feed.getTimeline': 3,
      });
      expect(saved).toHaveLength(1);
      expect(saved[0]?.refreshJwt).not.toBe(first.refreshJwt);
      expect(restored.data?.accessJwt).toBe(saved[0]?.accessJwt);
    } finally {
      await proxy.close();
    }
  });

  it('reports a revoked app password as AUTH at the next refresh, and calls onSessionExpired', async () => {
    const account = await net.createAccount('revoked');
    const expired: string[] = [];
    const { session } = await link(account, {
      onSessionExpired: (reason) => void expired.push(reason),
    });
    const stored = session.data as BlueskySessionData;
    await account.agent.com.atproto.server.revokeAppPassword({ name: account.appPasswordName });

    await expectConnectorError(session.refresh(), ConnectorErrorCode.Auth);
    expect(expired).toHaveLength(1);
    // Once dead, the session refuses further calls without a round trip.
    await expectConnectorError(
      new BlueskyConnector(session).fetchNewer(HOME, null, 10),
      ConnectorErrorCode.Auth,
    );

    // Restored, it works while its access token does (the PDS does not check those against
    // revocation), and fails the same way at the refresh when that nears its expiry.
    const restoredExpired: string[] = [];
    const restored = await BlueskySession.restore({
      session: stored,
      hostPolicy: net.hostPolicy,
      onSessionExpired: (r) => void restoredExpired.push(r),
    });
    const connector = new BlueskyConnector(restored, { labelers: [] });
    await connector.fetchOlder(HOME, null, 1);
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 2 * 3600_000);
    await expectConnectorError(connector.fetchOlder(HOME, null, 1), ConnectorErrorCode.Auth);
    expect(restoredExpired).toHaveLength(1);
  });
});

describe('incremental sync', () => {
  it('brings exactly the new entries, newest first, and nothing twice', async () => {
    const { connector } = await link();
    const first = await connector.fetchNewer(HOME, null, 100);
    const again = await connector.fetchNewer(HOME, first.marker, 100);
    expect(again.items).toEqual([]);
    expect(again.complete).toBe(true);

    const created = [];
    for (let i = 0; i < 5; i++) created.push(await seeded.alice.agent.post({ text: `incremental ${i}` }));
    const reposted = await seeded.bob.agent.repost(created[1]!.uri, created[1]!.cid); // a repost of a new post
    await net.processAll();

    // A small window first: the newest two, and the rest on the next pass.
    const part = await connector.fetchNewer(HOME, again.marker, 2);
    expect(part.complete).toBe(false);
    expect(part.items).toHaveLength(2);
    const rest = await connector.fetchNewer(HOME, part.marker, 100);
    expect(rest.complete).toBe(true);
    const keys = [...part.items, ...rest.items].map(keyOf);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.sort()).toEqual([...created.map((c) => c.uri), `repost:${reposted.uri}`].sort());
    // Newest first within a pass.
    expect(part.items[0]?.reason?.uri).toBe(reposted.uri);

    const none = await connector.fetchNewer(HOME, rest.marker, 100);
    expect(none.items).toEqual([]);
  });

  it('pages through history with fetchOlder without gaps or repeats', async () => {
    const { connector } = await link();
    const all = await connector.fetchNewer(HOME, null, 100);
    const keys: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await connector.fetchOlder(HOME, cursor, 4);
      keys.push(...page.items.map(keyOf));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    expect(pages).toBeGreaterThan(2);
    expect(keys).toEqual(all.items.map(keyOf));
  });
});

describe('other sources', () => {
  it('reads an author feed and a list feed, and who the account follows', async () => {
    const { connector } = await link();
    const author = await connector.fetchOlder(
      { kind: SourceKind.Author, externalId: seeded.bob.did },
      null,
      100,
    );
    expect(author.items.length).toBeGreaterThan(0);
    expect(
      author.items.every(
        (i) => i.post.author.networkId === seeded.bob.did || i.reason?.by.networkId === seeded.bob.did,
      ),
    ).toBe(true);

    const agent = seeded.viewer.agent;
    const list = await agent.com.atproto.repo.createRecord({
      repo: seeded.viewer.did,
      collection: 'app.bsky.graph.list',
      record: {
        $type: 'app.bsky.graph.list',
        purpose: 'app.bsky.graph.defs#curatelist',
        name: 'Alice only',
        createdAt: new Date().toISOString(),
      },
    });
    await agent.com.atproto.repo.createRecord({
      repo: seeded.viewer.did,
      collection: 'app.bsky.graph.listitem',
      record: {
        $type: 'app.bsky.graph.listitem',
        subject: seeded.alice.did,
        list: list.data.uri,
        createdAt: new Date().toISOString(),
      },
    });
    await net.processAll();
    expect(await connector.followedDids(list.data.uri)).toEqual([seeded.alice.did]);
    expect((await connector.followedDids()).sort()).toEqual([seeded.alice.did, seeded.bob.did].sort());
    const listFeed = await connector.fetchNewer(
      { kind: SourceKind.List, externalId: list.data.uri },
      null,
      100,
    );
    expect(listFeed.items.length).toBeGreaterThan(0);
    expect(listFeed.items.every((i) => i.post.author.networkId === seeded.alice.did)).toBe(true);
  });

  it('reads a custom feed (feed generator) in the order it ranks, without cutting it off by time', async () => {
    const { connector } = await link();
    const p = seeded.posts;
    // A ranked feed: an older post first, then newer ones.
    const ranked = [p.image.uri, p.quote.uri, p.selfLabelled.uri, p.linkCard.uri, p.richText.uri];
    const feedUri = await net.createFeed(seeded.bob, `picks-${Date.now()}`, ranked);
    await net.processAll();
    const feed: SourceRef = { kind: SourceKind.Feed, externalId: feedUri };

    const first = await connector.fetchNewer(feed, null, 100);
    expect(first.items.map((i) => i.post.uri)).toEqual(ranked);
    expect(first.complete).toBe(true);
    expect((await connector.fetchNewer(feed, first.marker, 100)).items).toEqual([]);

    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await connector.fetchOlder(feed, cursor, 2);
      paged.push(...page.items.map((i) => i.post.uri));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(ranked);
  });

  it('refuses malformed source ids and unknown feeds clearly', async () => {
    const { connector } = await link();
    await expectConnectorError(
      connector.fetchOlder({ kind: SourceKind.Feed, externalId: 'https://example.com' }, null, 10),
      ConnectorErrorCode.BadInput,
    );
    await expectConnectorError(
      connector.fetchOlder({ kind: SourceKind.Hashtag, externalId: 'x' }, null, 10),
      ConnectorErrorCode.BadInput,
    );
    const missing = `at://${seeded.alice.did}/app.bsky.feed.generator/nope`;
    const err = await connector
      .fetchOlder({ kind: SourceKind.Feed, externalId: missing }, null, 10)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect([ConnectorErrorCode.NotFound, ConnectorErrorCode.BadInput]).toContain(
      (err as ConnectorError).code,
    );
  });
});

describe('upstream etiquette', () => {
  it('waits out a 429 until its reset and then succeeds', async () => {
    const faults = faultyFetch();
    const { connector } = await link(seeded.viewer, {
      rateLimit: { fetch: faults.fetch, maxWaitMs: 10_000 },
    });
    let reset = 0;
    faults.inject('app.bsky.feed.getTimeline', () => {
      reset = Math.ceil(Date.now() / 1000) + 1;
      return {
        status: 429,
        headers: {
          'ratelimit-limit': '3000',
          'ratelimit-remaining': '0',
          'ratelimit-reset': String(reset),
          'ratelimit-policy': '3000;w=300',
        },
        body: { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' },
      };
    });
    const page = await connector.fetchOlder(HOME, null, 3);
    expect(page.items).toHaveLength(3);
    const timelineCalls = faults.seen.filter((r) => r.path.endsWith('app.bsky.feed.getTimeline'));
    expect(timelineCalls.map((r) => r.faulted)).toEqual([true, false]);
    expect(timelineCalls[1]!.at).toBeGreaterThanOrEqual(reset * 1000);
  });

  it('gives RATE_LIMITED with the reset time when the wait is too long', async () => {
    const faults = faultyFetch();
    const { connector } = await link(seeded.viewer, { rateLimit: { fetch: faults.fetch, maxWaitMs: 1_000 } });
    const reset = Math.ceil(Date.now() / 1000) + 120;
    faults.inject('app.bsky.feed.getTimeline', {
      status: 429,
      headers: { 'ratelimit-remaining': '0', 'ratelimit-reset': String(reset) },
    });
    const err = await expectConnectorError(
      connector.fetchOlder(HOME, null, 3),
      ConnectorErrorCode.RateLimited,
    );
    expect(err.retryAt?.getTime()).toBe(reset * 1000);
  });

  it('retries a 503 and reports persistent ones as UNAVAILABLE', async () => {
    const faults = faultyFetch();
    const { connector } = await link(seeded.viewer, {
      rateLimit: { fetch: faults.fetch, backoffMs: 10, retries5xx: 2 },
    });
    faults.inject('app.bsky.feed.getTimeline', { status: 503 }, 1);
    expect((await connector.fetchOlder(HOME, null, 2)).items).toHaveLength(2);
    faults.inject('app.bsky.feed.getTimeline', { status: 503 }, 3);
    await expectConnectorError(connector.fetchOlder(HOME, null, 2), ConnectorErrorCode.Unavailable);
  });
});

describe('writes', () => {
  it('likes, reposts and undoes both, idempotently', async () => {
    const { connector } = await link();
    const target = { uri: seeded.posts.image.uri, nativeId: seeded.posts.image.cid };
    const like = await connector.like(target);
    expect(like.uri).toMatch(/\/app\.bsky\.feed\.like\//);
    await net.processAll();
    expect((await connector.like(target)).uri).toBe(like.uri); // already liked: same record
    const repost = await connector.repost(target);
    await net.processAll();
    let view = (await seeded.viewer.agent.getPosts({ uris: [target.uri] })).data.posts[0];
    expect(view?.viewer).toMatchObject({ like: like.uri, repost: repost.uri });

    await connector.unlike(target, null); // finds the like itself
    await connector.unrepost(target, repost.uri);
    await connector.unrepost(target, repost.uri); // gone already: no error
    await net.processAll();
    view = (await seeded.viewer.agent.getPosts({ uris: [target.uri] })).data.posts[0];
    expect(view?.viewer?.like).toBeUndefined();
    expect(view?.viewer?.repost).toBeUndefined();
  });

  it('posts with facets, replies into the right thread and deletes', async () => {
    const { connector } = await link();
    const created = await connector.createPost({
      text: `Hello @${seeded.alice.handle} ✨ https://example.org #news`,
      language: 'en',
    });
    await net.processAll();
    const mine = await connector.fetchOlder(
      { kind: SourceKind.Author, externalId: seeded.viewer.did },
      null,
      10,
    );
    const post = mine.items.find((i) => i.post.uri === created.uri)?.post;
    expect(post?.languages).toEqual(['en']);
    expect(post?.richText.segments.filter((s) => s.type !== 'text')).toEqual([
      {
        type: 'mention',
        text: `@${seeded.alice.handle}`,
        networkId: seeded.alice.did,
        handle: seeded.alice.handle,
      },
      { type: 'link', text: 'https://example.org', url: 'https://example.org' },
      { type: 'hashtag', text: '#news', tag: 'news' },
    ]);

    // Replying to a reply: the root is looked up, not guessed.
    const reply = await connector.createPost({
      text: 'deeper',
      replyTo: { uri: seeded.posts.reply.uri, nativeId: seeded.posts.reply.cid },
    });
    await net.processAll();
    const thread = await connector.fetchOlder(
      { kind: SourceKind.Author, externalId: seeded.viewer.did },
      null,
      10,
    );
    const replied = thread.items.find((i) => i.post.uri === reply.uri)?.post;
    expect(replied?.replyParent?.uri).toBe(seeded.posts.reply.uri);
    expect(replied?.replyRoot?.uri).toBe(seeded.posts.richText.uri);

    await connector.deletePost({ uri: created.uri, nativeId: created.nativeId });
    await net.processAll();
    const after = await connector.fetchOlder(
      { kind: SourceKind.Author, externalId: seeded.viewer.did },
      null,
      10,
    );
    expect(after.items.map((i) => i.post.uri)).not.toContain(created.uri);
    await expectConnectorError(
      connector.deletePost({ uri: seeded.posts.image.uri, nativeId: '' }),
      ConnectorErrorCode.BadInput,
    );
    await expectConnectorError(connector.createPost({ text: 'x'.repeat(301) }), ConnectorErrorCode.BadInput);
  });
});

describe('freshness from the firehose', () => {
  const subs: Array<{ stop(): Promise<void> }> = [];
  afterAll(async () => {
    await Promise.all(subs.map((s) => s.stop()));
  });

  function nextEvent(events: RepoEvent[], match: (e: RepoEvent) => boolean): Promise<RepoEvent> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const check = () => {
        const hit = events.find(match);
        if (hit) return resolve(hit);
        if (Date.now() - started > 20_000) return reject(new Error('no firehose event within 20 s'));
        setTimeout(check, 20);
      };
      check();
    });
  }

  it('reports a new post and the sync it triggers brings it, without processAll', async () => {
    const { connector } = await link();
    const base = await connector.fetchNewer(HOME, null, 100);
    const events: RepoEvent[] = [];
    const sub = subscribeRepos({
      service: net.info.pdsUrl,
      cursor: null,
      onEvent: (e) => void events.push(e),
    });
    subs.push(sub);
    // Wait until the live subscription is connected: a first post proves it.
    const warm = await seeded.bob.agent.post({ text: 'warm-up' });
    await nextEvent(events, (e) => e.uri === warm.uri);

    const fresh = await seeded.alice.agent.post({ text: 'fresh from the stream' });
    const event = await nextEvent(events, (e) => e.uri === fresh.uri);
    expect(event).toMatchObject({
      did: seeded.alice.did,
      collection: 'app.bsky.feed.post',
      action: 'create',
    });
    expect(sub.cursor).toBeGreaterThanOrEqual(event.seq);

    // What the worker does on such an event for an account that follows the author: sync it. The
    // AppView indexes from the same stream, so a sync may need a moment to see the post.
    let marker = base.marker;
    let found: IngestedItem | undefined;
    for (let attempt = 0; attempt < 100 && !found; attempt++) {
      const newer = await connector.fetchNewer(HOME, marker, 100);
      marker = newer.marker;
      found = newer.items.find((i) => i.post.uri === fresh.uri);
      if (!found) await new Promise((r) => setTimeout(r, 100));
    }
    expect(found?.post.text).toBe('fresh from the stream');
  });

  it('resumes from a stored cursor after a restart without missing events', async () => {
    const events: RepoEvent[] = [];
    const first = subscribeRepos({
      service: net.info.pdsUrl,
      cursor: null,
      onEvent: (e) => void events.push(e),
    });
    const a = await seeded.alice.agent.post({ text: 'before the restart' });
    await nextEvent(events, (e) => e.uri === a.uri);
    const stored = first.cursor;
    await first.stop();

    const missed = await seeded.alice.agent.post({ text: 'while we were down' });
    const deleted = await seeded.bob.agent.post({ text: 'soon gone' });
    await seeded.bob.agent.deletePost(deleted.uri);

    const resumedEvents: RepoEvent[] = [];
    const second = subscribeRepos({
      service: net.info.pdsUrl,
      cursor: stored,
      onEvent: (e) => void resumedEvents.push(e),
    });
    subs.push(second);
    await nextEvent(resumedEvents, (e) => e.uri === deleted.uri && e.action === 'delete');
    expect(resumedEvents.some((e) => e.uri === missed.uri && e.action === 'create')).toBe(true);
    expect(resumedEvents.some((e) => e.uri === a.uri)).toBe(false); // handled before the restart
    const seqs = resumedEvents.map((e) => e.seq);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
  });
});
