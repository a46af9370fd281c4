// The connector against the fake Mastodon over real HTTP and WebSocket. Every response the fake
// sends is checked against the OpenAPI description; afterEach fails the test on any violation.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ConnectorError } from '@tributary/core';
import type { IngestedItem, SourceRef } from '@tributary/core';
import type { FakeAccount } from '../../../testing/src/mastodon/index.js';
import { FakeMastodonServer, PERSONALITIES } from '../../../testing/src/mastodon/index.js';
import { MastodonConnector } from './mastodon-connector.js';
import { authorizeUrl, createPkce, exchangeCode, registerApp, verifyCredentials } from './mastodon-oauth.js';
import { MastodonStream } from './mastodon-stream.js';
import type { NormalizeResult } from './normalize-status.js';

const HOME: SourceRef = { kind: 'HOME', externalId: '' };

let server: FakeMastodonServer;
let alice: FakeAccount;
let bob: FakeAccount;
let carol: FakeAccount;
let token: string;

const policy = (): { allowHosts: string[]; allowHttp: boolean; retries: number; backoffMs: number } => ({
  allowHosts: [server.host],
  allowHttp: true,
  retries: 2,
  backoffMs: 5,
});
const connector = (accessToken = token, pageSize?: number): MastodonConnector =>
  new MastodonConnector({ instanceOrigin: server.origin, accessToken, pageSize, ...policy() });

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ConnectorError) return err.code;
    throw err;
  }
  return 'resolved';
}

/** Waits for a condition driven by the server's own events (no fixed sleeps). */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

// Every suite runs under each server personality: Mastodon 4.5 and servers that are not Mastodon.
describe.each(PERSONALITIES.map((p) => [p.name, p] as const))('%s', (_name, personality) => {
  beforeAll(async () => {
    server = await FakeMastodonServer.start(personality);
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    alice = server.createAccount(`alice${Math.random().toString(36).slice(2, 7)}`);
    bob = server.createAccount('bob', { displayName: 'Bob' });
    carol = server.createAccount('carol');
    server.follow(alice, bob);
    token = server.issueToken(alice);
  });
  // The streaming API's suites; a server without one is covered by the polling suites.
  const describeStreaming = personality.streaming ? describe : describe.skip;

  afterEach(() => {
    // Emptied here so one test's violation does not fail the next one too.
    expect(server.violations.splice(0)).toEqual([]);
  });

  describe('linking', () => {
    it('links through OAuth, registering the app once and reusing it', async () => {
      const appsBefore = server.apps.length;
      const app = await registerApp(
        server.origin,
        { clientName: 'Tributary', redirectUri: 'https://tributary.example/oauth/mastodon' },
        policy(),
      );
      expect(server.apps.length).toBe(appsBefore + 1);
      expect(app).toMatchObject({
        instanceOrigin: server.origin,
        redirectUri: 'https://tributary.example/oauth/mastodon',
      });

      for (const who of [alice, carol]) {
        const url = authorizeUrl(app, `state-${who.id}`);
        const { code, state } = server.approve(url, who);
        expect(state).toBe(`state-${who.id}`);
        const { accessToken } = await exchangeCode(app, code, policy());
        const me = await verifyCredentials(server.origin, accessToken, policy());
        expect(me).toMatchObject({
          id: who.id,
          acct: who.username,
          handle: `${who.username}@${server.host}`,
        });
        // A code works once.
        expect(await codeOf(exchangeCode(app, code, policy()))).toBe('BAD_INPUT');
      }
      expect(server.apps.length).toBe(appsBefore + 1);
    });

    it('binds the code to the PKCE verifier', async () => {
      const app = await registerApp(
        server.origin,
        { clientName: 'Tributary', redirectUri: 'https://tributary.example/cb' },
        policy(),
      );
      const pkce = createPkce();
      const first = server.approve(authorizeUrl(app, 's', { codeChallenge: pkce.challenge }), alice);
      expect(
        await codeOf(exchangeCode(app, first.code, { ...policy(), codeVerifier: createPkce().verifier })),
      ).toBe('BAD_INPUT');
      const second = server.approve(authorizeUrl(app, 's', { codeChallenge: pkce.challenge }), alice);
      const { accessToken } = await exchangeCode(app, second.code, {
        ...policy(),
        codeVerifier: pkce.verifier,
      });
      await expect(verifyCredentials(server.origin, accessToken, policy())).resolves.toMatchObject({
        id: alice.id,
      });
    });

    it('links with a personal access token and refuses a bad one', async () => {
      await expect(verifyCredentials(server.origin, token, policy())).resolves.toMatchObject({
        id: alice.id,
        // Without the account's `uri` (servers that are not Mastodon), its profile URL.
        uri:
          personality.accounts === 'full'
            ? `${server.origin}/users/${alice.username}`
            : `${server.origin}/@${alice.username}`,
      });
      expect(await codeOf(verifyCredentials(server.origin, 'not-a-token', policy()))).toBe('AUTH');
      expect(await codeOf(verifyCredentials(server.origin, '  ', policy()))).toBe('BAD_INPUT');
    });

    it('refuses the instance when it is not on the allow-list', async () => {
      expect(await codeOf(verifyCredentials(server.origin, token, { allowHosts: [] }))).toBe('BAD_INPUT');
      expect(
        await codeOf(
          registerApp(server.origin, { clientName: 'x', redirectUri: 'https://t.example/cb' }, {}),
        ),
      ).toBe('BAD_INPUT');
    });
  });

  describe('ingest', () => {
    it('normalizes the home timeline: content warning, boost, reply, quote, media, card, hostile HTML, filters', async () => {
      server.addFilter(alice, 'Spoilers', 'finale', 'warn');
      const original = server.post(bob, { text: 'the original', tags: ['cats'] });
      server.post(bob, { text: 'about the finale', spoilerText: 'TV spoilers', sensitive: true });
      server.boost(bob, server.post(carol, { text: 'carol says hi' }));
      server.post(bob, { text: 'a reply', inReplyTo: original, mentions: [bob.id] });
      server.post(bob, { text: 'quoting', quoteOf: original });
      server.post(bob, { text: 'photo', media: [{ description: 'A heron', focus: { x: 0.1, y: -0.4 } }] });
      server.post(bob, {
        text: 'link',
        card: { url: 'https://example.com/story', title: 'Story', image: 'https://example.com/i.png' },
      });
      server.post(bob, {
        html: '<p>hi<script>alert(1)</script><a href="javascript:alert(2)">x</a><img src=x onerror=alert(3)><a href="https://ok.example/" onclick="y()">ok</a></p>',
      });

      const { items, skipped, marker, complete } = await connector().fetchNewer(HOME, null, 40);
      expect(skipped).toEqual([]);
      expect(complete).toBe(true);
      expect(marker).not.toBeNull();
      const byText = (t: string): IngestedItem => {
        const found = items.find((i) => i.post.text === t);
        if (!found) throw new Error(`no post "${t}" in ${items.map((i) => i.post.text).join(' | ')}`);
        return found;
      };
      expect(byText('about the finale').post).toMatchObject({
        contentWarning: 'TV spoilers',
        sensitive: true,
        labels: [
          { value: 'sensitive', source: 'mastodon', action: 'blur' },
          { value: 'filter:Spoilers', action: 'warn', personal: true },
        ],
      });
      const boost = byText('carol says hi');
      expect(boost.post.author.handle).toBe(`carol@${server.host}`);
      expect(boost.reason).toMatchObject({ by: { handle: `bob@${server.host}`, displayName: 'Bob' } });
      // The parent came in the same answer: referenced by its URI; a reply to oneself names its author.
      expect(byText('a reply').post.replyParent).toEqual({
        uri: byText('the original').post.uri,
        authorNetworkId: byText('the original').post.author.networkId,
      });
      expect(byText('quoting').post.quote).toMatchObject({
        nativeId: original,
        text: 'the original',
        hashtags: ['cats'],
      });
      expect(byText('photo').post.media).toEqual([
        expect.objectContaining({
          type: 'image',
          altText: 'A heron',
          focus: { x: 0.1, y: -0.4 },
          width: 640,
          height: 480,
        }),
      ]);
      expect(byText('link').post.linkCard).toEqual({
        url: 'https://example.com/story',
        title: 'Story',
        description: '',
        imageUrl: 'https://example.com/i.png',
      });
      const hostile = byText('hixok');
      expect(hostile.post.richText.segments).toEqual([
        { type: 'text', text: 'hix' },
        { type: 'link', text: 'ok', url: 'https://ok.example/' },
      ]);
      expect(JSON.stringify(hostile.post.richText)).not.toMatch(/alert|javascript|onclick|onerror/);
    });

    it('ingests a list and a followed hashtag', async () => {
      const c = connector();
      const listId = server.createList(alice, 'Friends', [carol]);
      server.followTag(alice, 'Herons');
      server.post(carol, { text: 'in the list' });
      server.post(bob, { text: 'not in the list' });
      server.post(carol, { text: 'heron spotted', tags: ['herons'] });

      expect(await c.lists()).toEqual([{ id: listId, title: 'Friends' }]);
      expect(await c.followedTags()).toEqual(['herons']);

      const list = await c.fetchNewer({ kind: 'LIST', externalId: listId }, null, 40);
      expect(list.items.map((i) => i.post.text)).toEqual(['heron spotted', 'in the list']);
      const tag = await c.fetchNewer({ kind: 'HASHTAG', externalId: '#herons' }, null, 40);
      expect(tag.items.map((i) => i.post.text)).toEqual(['heron spotted']);
      // The followed tag brings carol's post into the home timeline too.
      const home = await c.fetchNewer(HOME, null, 40);
      expect(home.items.map((i) => i.post.text)).toContain('heron spotted');
      expect(await codeOf(c.fetchNewer({ kind: 'LIST', externalId: 'nope' }, null, 40))).toBe('NOT_FOUND');
      expect(await codeOf(c.fetchNewer({ kind: 'FEED', externalId: 'x' }, null, 40))).toBe('BAD_INPUT');
    });

    it('pages without duplicates or gaps: backfill with max_id, catch-up newest-first down to the marker', async () => {
      const c = connector(token, 7);
      const before: string[] = [];
      for (let i = 0; i < 53; i++) before.push(server.post(bob, { text: `old ${i}` }));

      const first = await c.fetchNewer(HOME, null, 7);
      const backfilled = first.items.map((i) => i.post.nativeId);
      let cursor: string | null = null;
      for (let page = await c.fetchOlder(HOME, cursor, 7); ; page = await c.fetchOlder(HOME, cursor, 7)) {
        backfilled.push(...page.items.map((i) => i.post.nativeId));
        cursor = page.nextCursor;
        if (cursor === null) break;
      }
      // Backfill from the top re-reads the first page (idempotent upserts); as a set it is exact.
      expect(new Set(backfilled)).toEqual(new Set(before));
      const fromOlder = backfilled.slice(first.items.length);
      expect(fromOlder).toHaveLength(before.length);
      expect(fromOlder).toEqual([...before].reverse());

      const after: string[] = [];
      for (let i = 0; i < 23; i++) after.push(server.post(bob, { text: `new ${i}` }));
      let marker = first.marker;
      const caughtUp: string[] = [];
      let calls = 0;
      for (let complete = false; !complete && calls < 10; calls++) {
        const r = await c.fetchNewer(HOME, marker, 10);
        caughtUp.push(...r.items.map((i) => i.post.nativeId));
        marker = r.marker;
        complete = r.complete;
      }
      // More than one call's worth: what a call could not reach stayed in the marker as an open
      // gap, filled by the next calls; together they are exactly the new posts, newest first.
      expect(calls).toBe(3);
      expect(caughtUp).toEqual([...after].reverse());
      // Nothing new: one request, no items, marker unchanged. What it reads is the instance's word.
      const sent = server.requests.length;
      await expect(c.fetchNewer(HOME, marker, 10)).resolves.toEqual({
        items: [],
        skipped: [],
        marker,
        complete: true,
        trustDomain: server.origin,
      });
      expect(server.requests.length).toBe(sent + 1);
    });

    it('a burst of 500 statuses between two polls arrives complete', async () => {
      const c = connector();
      const { marker } = await c.fetchNewer(HOME, null, 40);
      const burst: string[] = [];
      for (let i = 0; i < 500; i++) burst.push(server.post(bob, { text: `burst ${i}` }));
      const r = await c.fetchNewer(HOME, marker, 1000);
      expect(r.complete).toBe(true);
      expect(r.items.map((i) => i.post.nativeId)).toEqual([...burst].reverse());
    });

    it('a timeline first seen empty gets everything posted after, not just the newest page', async () => {
      const c = connector();
      const empty = await c.fetchNewer(HOME, null, 40);
      expect(empty.items).toEqual([]);
      const posted: string[] = [];
      for (let i = 0; i < 95; i++) posted.push(server.post(bob, { text: `later ${i}` }));
      const r = await c.fetchNewer(HOME, empty.marker, 1000);
      expect(r.items.map((i) => i.post.nativeId)).toEqual([...posted].reverse());
    });
  });

  describeStreaming('streaming', () => {
    it('delivers new statuses, and after a dropped stream reconnects and catches up without gaps', async () => {
      const c = connector();
      const start = await c.fetchNewer(HOME, null, 40);
      let marker = start.marker;
      const seen = new Map<string, number>();
      const record = (r: NormalizeResult): void => {
        if ('ok' in r) seen.set(r.ok.post.nativeId, (seen.get(r.ok.post.nativeId) ?? 0) + 1);
      };
      let reconnects = 0;
      let catchUps = 0;
      const deleted: string[] = [];
      const streamingUrl = await c.streamingUrl();
      expect(streamingUrl).toBe(server.origin.replace('http', 'ws'));
      const stream = new MastodonStream({
        streamingUrl: streamingUrl as string,
        instanceOrigin: server.origin,
        accessToken: token,
        allowHosts: [server.host],
        allowHttp: true,
        initialBackoffMs: 20,
        maxBackoffMs: 100,
        onStatus: record,
        onDelete: (id) => deleted.push(id),
        onReconnect: async () => {
          reconnects++;
          for (;;) {
            const r = await c.fetchNewer(HOME, marker, 40);
            r.items.forEach((i) => record({ ok: i }));
            marker = r.marker;
            if (r.complete) break;
          }
          catchUps++;
        },
      });
      stream.start();
      try {
        await until(() => stream.state === 'open', 'stream open');
        const live = server.post(bob, { text: 'live!' });
        await until(() => seen.has(live), 'streamed status');

        server.dropStreams({ stayDown: true });
        await until(() => stream.state !== 'open', 'stream down');
        const missed = [
          server.post(bob, { text: 'missed 1' }),
          server.post(bob, { text: 'missed 2' }),
          server.post(bob, { text: 'missed 3' }),
        ];
        server.restoreStreaming();
        await until(() => catchUps === 1, 'catch-up after reconnect');
        const after = server.post(bob, { text: 'after reconnect' });
        await until(() => seen.has(after), 'streamed status after reconnect');

        const own = await c.createPost({ text: 'mine, soon deleted' });
        await until(() => seen.has(own.nativeId), 'own status streamed');
        await c.deletePost(own);
        await until(() => deleted.includes(own.nativeId), 'delete streamed');

        expect(reconnects).toBe(1);
        for (const id of [live, ...missed, after]) expect(seen.has(id)).toBe(true);
        expect(stream.connections).toBe(2);
      } finally {
        stream.close();
      }
    });
  });

  describeStreaming('streaming SSRF guard', () => {
    it('refuses a streaming host that re-resolves to a private address at connect time', async () => {
      let lookups = 0;
      const errors: Error[] = [];
      const port = new URL(server.origin).port;
      const stream = new MastodonStream({
        streamingUrl: `wss://rebinding.example:${port}`,
        instanceOrigin: server.origin,
        accessToken: token,
        lookup: async () => [{ address: lookups++ === 0 ? '93.184.216.34' : '127.0.0.1', family: 4 }],
        initialBackoffMs: 10_000,
        onStatus: () => undefined,
        onError: (e) => errors.push(e),
      });
      const sent = server.requests.length;
      stream.start();
      try {
        await until(() => errors.length > 0, 'connection refused');
        expect(errors[0]).toMatchObject({
          code: 'BAD_INPUT',
          message: expect.stringMatching(/127\.0\.0\.1/),
        });
        expect(lookups).toBe(2);
        expect(server.requests.slice(sent)).toEqual([]);
      } finally {
        stream.close();
      }
    });
  });

  (personality.streaming ? describe.skip : describe)('a server without a streaming API', () => {
    it('says so once (no streaming URL, 404 on the endpoint) and does not reconnect', async () => {
      expect(await connector().streamingUrl()).toBeNull();
      const refused: number[] = [];
      const errors: Error[] = [];
      const stream = new MastodonStream({
        streamingUrl: server.origin,
        instanceOrigin: server.origin,
        accessToken: token,
        allowHosts: [server.host],
        allowHttp: true,
        initialBackoffMs: 1,
        maxBackoffMs: 1,
        onStatus: () => undefined,
        onUnsupported: (status) => refused.push(status),
        onError: (e) => errors.push(e),
      });
      const sent = server.requests.length;
      stream.start();
      try {
        await until(() => refused.length > 0, 'the refusal');
        // Were it retrying (every millisecond here), the upgrades would pile up meanwhile.
        await connector().fetchNewer(HOME, null, 40);
        expect(server.requests.slice(sent).filter((r) => r.path === '/api/v1/streaming')).toHaveLength(1);
        expect(refused).toEqual([404]);
        expect(errors).toEqual([]);
        expect(stream.state).toBe('closed');
      } finally {
        stream.close();
      }
    });
  });

  describeStreaming('polling fallback', () => {
    it('polls while the stream is down and stops once it is back', async () => {
      const c = connector();
      let marker = (await c.fetchNewer(HOME, null, 40)).marker;
      const polled = new Set<string>();
      let polls = 0;
      server.dropStreams({ stayDown: true });
      const stream = new MastodonStream({
        streamingUrl: server.origin,
        instanceOrigin: server.origin,
        accessToken: token,
        allowHosts: [server.host],
        allowHttp: true,
        initialBackoffMs: 20,
        maxBackoffMs: 50,
        pollIntervalMs: 20,
        onStatus: () => undefined,
        onPoll: async () => {
          polls++;
          const r = await c.fetchNewer(HOME, marker, 40);
          r.items.forEach((i) => polled.add(i.post.nativeId));
          marker = r.marker;
        },
      });
      stream.start();
      try {
        const whileDown = server.post(bob, { text: 'posted while the stream is down' });
        await until(() => polled.has(whileDown), 'polled status');
        expect(stream.isPolling).toBe(true);
        expect(polls).toBeGreaterThan(0);
        server.restoreStreaming();
        await until(() => stream.state === 'open', 'stream open');
        expect(stream.isPolling).toBe(false);
      } finally {
        stream.close();
        server.restoreStreaming();
      }
    });
  });

  describe('upstream etiquette', () => {
    it('reads X-RateLimit-* and stops at the reset time on 429, without hammering', async () => {
      const c = connector();
      await c.fetchNewer(HOME, null, 5);
      expect(c.client.budget.limit).toBe(300);
      expect(c.client.budget.remaining).toBeLessThan(300);

      server.failNext(429, { resetInSeconds: 120 });
      const err = await c.fetchNewer(HOME, null, 5).catch((e: unknown) => e as ConnectorError);
      expect(err).toBeInstanceOf(ConnectorError);
      expect((err as ConnectorError).code).toBe('RATE_LIMITED');
      const retryAt = (err as ConnectorError).retryAt as Date;
      expect(retryAt.getTime()).toBeGreaterThan(Date.now() + 100_000);
      // The budget is per token: until the reset nothing else goes out for this token.
      const sent = server.requests.length;
      expect(await codeOf(connector().fetchNewer(HOME, null, 5))).toBe('RATE_LIMITED');
      expect(server.requests.length).toBe(sent);
      // Another token is not affected.
      await expect(connector(server.issueToken(carol)).fetchNewer(HOME, null, 5)).resolves.toMatchObject({
        skipped: [],
      });
    });

    // Only a server that announces its budget can be spared the refusal.
    (personality.rateLimitHeaders === 'none' ? it.skip : it)(
      'stops before the server has to refuse once the announced budget is spent',
      async () => {
        server.rateLimit = 3;
        try {
          const c = connector(server.issueToken(carol));
          for (let i = 0; i < 3; i++) await c.fetchNewer(HOME, null, 5);
          const sent = server.requests.length;
          expect(await codeOf(c.fetchNewer(HOME, null, 5))).toBe('RATE_LIMITED');
          expect(server.requests.length).toBe(sent);
        } finally {
          server.rateLimit = 300;
        }
      },
    );

    it('retries a 503 with backoff, then reports UNAVAILABLE', async () => {
      const c = connector();
      server.failNext(503, { times: 2 });
      await expect(c.fetchNewer(HOME, null, 5)).resolves.toMatchObject({ skipped: [] });
      server.failNext(503, { times: 3 });
      const err = await c.fetchNewer(HOME, null, 5).catch((e: unknown) => e as ConnectorError);
      expect(err).toMatchObject({ code: 'UNAVAILABLE' });
      expect((err as ConnectorError).retryAt).toBeInstanceOf(Date);
    });

    it('reports AUTH on 401 so the account is marked as needing re-auth', async () => {
      const c = connector();
      server.failNext(401);
      expect(await codeOf(c.fetchNewer(HOME, null, 5))).toBe('AUTH');
      server.revokeTokens(alice);
      expect(await codeOf(c.fetchOlder(HOME, null, 5))).toBe('AUTH');
      expect(await codeOf(c.like({ uri: 'x', nativeId: '1' }))).toBe('AUTH');
    });
  });

  describe('writes', () => {
    it('favourites, boosts, replies, posts and deletes', async () => {
      const c = connector();
      const target = server.post(bob, { text: 'like me' });
      const ref = { uri: `${server.origin}/users/bob/statuses/${target}`, nativeId: target };

      await expect(c.like(ref)).resolves.toMatchObject({ nativeId: target, uri: ref.uri });
      await c.unlike(ref, null);
      const boost = await c.repost(ref);
      expect(boost.nativeId).not.toBe(target);
      // Boosting twice returns the same boost.
      await expect(c.repost(ref)).resolves.toEqual(boost);
      await c.unrepost(ref, boost.nativeId);

      const reply = await c.createPost(
        { text: 'a reply', contentWarning: 'cw', language: 'en', replyTo: ref },
        { idempotencyKey: 'job-1' },
      );
      await expect(
        c.createPost({ text: 'a reply', replyTo: ref }, { idempotencyKey: 'job-1' }),
      ).resolves.toEqual(reply);
      const mine = await c.fetchNewer(HOME, null, 40);
      const replied = mine.items.find((i) => i.post.nativeId === reply.nativeId);
      expect(replied?.post).toMatchObject({
        contentWarning: 'cw',
        sensitive: true,
        replyParent: { uri: ref.uri },
      });

      await c.deletePost({ uri: reply.uri, nativeId: reply.nativeId });
      await c.deletePost({ uri: reply.uri, nativeId: reply.nativeId }); // already gone: still fine
      expect(await codeOf(c.createPost({ text: '   ' }))).toBe('BAD_INPUT');
      expect(await codeOf(c.like({ uri: 'x', nativeId: '999999' }))).toBe('NOT_FOUND');
    });
    it('quotes a status where the instance takes quote posts, and says why not where it does not', async () => {
      const ref = (id: string) => ({ uri: `${server.origin}/users/bob/statuses/${id}`, nativeId: id });
      const quoted = server.post(bob, { text: 'worth quoting' });
      const posts = () => server.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/statuses');
      const sent = posts().length;
      if (personality.apiVersion < 7) {
        // Such a server ignores quoted_status_id: the text would go out without its quote.
        const refused = await connector()
          .createPost({ text: 'so true', quoteOf: ref(quoted) })
          .catch((e: unknown) => e as ConnectorError);
        expect(refused).toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/quote posts/) });
        expect(posts()).toHaveLength(sent);
        return;
      }
      const posted = await connector().createPost({ text: 'so true', quoteOf: ref(quoted) });
      const mine = (await connector().fetchNewer(HOME, null, 40)).items.find(
        (i) => i.post.nativeId === posted.nativeId,
      );
      expect(mine?.post.text).toBe('so true');
      expect(mine?.post.quote).toMatchObject({ nativeId: quoted, text: 'worth quoting' });
      // The author's policy says who may quote: refused before anything is sent, as is media.
      const closed = server.post(bob, { text: 'mine alone', quotePolicy: 'nobody' });
      expect(await codeOf(connector().createPost({ text: 'x', quoteOf: ref(closed) }))).toBe('BAD_INPUT');
      const image = { data: new Uint8Array([137, 80, 78, 71]), mimeType: 'image/png', altText: '' };
      const uploads = server.uploads.size;
      expect(await codeOf(connector().createPost({ text: 'x', quoteOf: ref(quoted), media: [image] }))).toBe(
        'BAD_INPUT',
      );
      expect(posts()).toHaveLength(sent + 1);
      expect(server.uploads.size).toBe(uploads);
    });

    it("reads a poll with no member's own vote in the shared post, and votes in it", async () => {
      const poll = {
        options: ['tea', 'coffee', 'water'],
        multiple: true,
        expiresAt: '2099-01-01T00:00:00.000Z',
      };
      const id = server.post(bob, { text: 'what do you drink?', poll });
      const ref = { uri: `${server.origin}/users/bob/statuses/${id}`, nativeId: id };
      server.follow(carol, bob);
      const carols = connector(server.issueToken(carol));
      await expect(carols.vote(ref, [1])).resolves.toMatchObject({ ownVotes: [1] });

      // Alice reads it after carol voted: counts for all, carol's vote nowhere in what is shared.
      const read = (await connector().fetchNewer(HOME, null, 40)).items.find((i) => i.post.nativeId === id);
      expect(read?.post.poll).toEqual({
        id: expect.any(String),
        options: [
          { title: 'tea', votes: 0 },
          { title: 'coffee', votes: 1 },
          { title: 'water', votes: 0 },
        ],
        expiresAt: '2099-01-01T00:00:00.000Z',
        expired: false,
        multiple: true,
        votes: 1,
        voters: 1,
      });
      expect(JSON.stringify(read?.post.raw)).not.toMatch(/own_votes|"voted"/);

      const voted = await connector().vote(ref, [0, 2]);
      expect(voted.ownVotes).toEqual([0, 2]);
      expect(voted.poll.options.map((o) => o.votes)).toEqual([1, 1, 1]);
      expect(voted.poll).toMatchObject({ votes: 3, voters: 2 });
      // The instance's refusals are the member's mistakes, not outages.
      expect(await codeOf(connector().vote(ref, [1]))).toBe('BAD_INPUT'); // voted already
      expect(await codeOf(connector(server.issueToken(server.createAccount('dave'))).vote(ref, [7]))).toBe(
        'BAD_INPUT',
      );
      const plain = server.post(bob, { text: 'no poll here' });
      const noPoll = { uri: `${server.origin}/users/bob/statuses/${plain}`, nativeId: plain };
      expect(await codeOf(connector().vote(noPoll, [0]))).toBe('BAD_INPUT');
      const ended = server.post(bob, {
        text: 'too late',
        poll: { options: ['a', 'b'], expiresAt: '2000-01-01T00:00:00.000Z' },
      });
      const late = { uri: `${server.origin}/users/bob/statuses/${ended}`, nativeId: ended };
      expect(await codeOf(connector().vote(late, [0]))).toBe('BAD_INPUT');
    });

    it('posts an image from an account linked through OAuth (the token has write:media)', async () => {
      const app = await registerApp(
        server.origin,
        { clientName: 'Tributary', redirectUri: 'https://tributary.example/cb' },
        policy(),
      );
      const { code } = server.approve(authorizeUrl(app, 's'), alice);
      const { accessToken } = await exchangeCode(app, code, policy());
      const posted = await connector(accessToken).createPost({
        text: 'a heron',
        media: [{ data: new Uint8Array([137, 80, 78, 71]), mimeType: 'image/png', altText: 'A heron' }],
      });
      expect([...server.uploads.values()].some((u) => u.statusId === posted.nativeId)).toBe(true);
      // A token without the scope is told so clearly, and not retried.
      const readOnly = connector(server.issueToken(alice, ['read', 'write:statuses']));
      const refused = await readOnly
        .createPost({ text: 'x', media: [{ data: new Uint8Array([1]), mimeType: 'image/png', altText: '' }] })
        .catch((e: unknown) => e as ConnectorError);
      expect(refused).toMatchObject({
        code: 'BAD_INPUT',
        message: expect.stringMatching(/link the account again/),
      });
    });

    it('waits until the instance has processed an attachment (202, then 206 polls) before posting with it', async () => {
      const c = connector();
      server.mediaProcessingPolls = 2; // without the wait, the status would be refused with 422
      try {
        const posted = await c.createPost({
          text: 'a heron',
          media: [{ data: new Uint8Array([137, 80, 78, 71]), mimeType: 'image/png', altText: 'A heron' }],
        });
        const upload = [...server.uploads.values()].find((u) => u.statusId === posted.nativeId);
        expect(upload).toMatchObject({ description: 'A heron', processingPolls: 0 });
        const polls = server.requests.filter(
          (r) => r.method === 'GET' && r.path === `/api/v1/media/${upload!.id}`,
        );
        expect(polls).toHaveLength(2);
      } finally {
        server.mediaProcessingPolls = 0;
      }
    });
  });

  describeStreaming('the fake server holds itself to the description', () => {
    it('refuses to stream a status that violates it and records the violation', async () => {
      const got: NormalizeResult[] = [];
      const stream = new MastodonStream({
        streamingUrl: server.origin,
        instanceOrigin: server.origin,
        accessToken: token,
        allowHosts: [server.host],
        allowHttp: true,
        onStatus: (r) => got.push(r),
      });
      stream.start();
      try {
        await until(() => stream.state === 'open', 'stream open');
        server.streamRaw(alice, { id: '1', content: '<p>no account, no uri</p>' });
        expect(server.violations.join('\n')).toMatch(/Status.* must have required property 'account'/);
        const good = server.post(alice, { text: 'valid one' });
        await until(() => got.length > 0, 'valid status');
        expect(got).toEqual([
          { ok: expect.objectContaining({ post: expect.objectContaining({ nativeId: good }) }) },
        ]);
      } finally {
        stream.close();
        server.violations.length = 0;
      }
    });
  });
});
