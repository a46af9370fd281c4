// Tributary's Mastodon client API end to end, through two independent Mastodon client libraries
// (masto and megalodon) as an app would use it: register, log in through the consent page over
// HTTP, read home and a pipeline as a list page by page while posts arrive, open a thread, act,
// post with media and a content warning, markers, streaming — with posts from the reference
// Bluesky network and the fake Mastodon server. Every answer passes through a proxy that holds it
// to the Mastodon contract the fake is held to.
import { createHash, randomBytes } from 'node:crypto';
import { RichText } from '@atproto/api';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createOAuthAPIClient, createRestAPIClient, createStreamingAPIClient } from 'masto';
import type { mastodon } from 'masto';
import generator from 'megalodon';
import type { MegalodonInterface } from 'megalodon';
import { loadConfig } from '@tributary/config';
import { FakeMastodonServer, blueskyNetwork } from '@tributary/testing';
import type { BlueskyNetworkClient, FakeAccount, TestBlueskyAccount } from '@tributary/testing';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import { start } from '../src/start.js';
import { addSource, linkBluesky, linkMastodon, removeSource } from './link-accounts.js';
import { startContractProxy } from './mastodon-contract-proxy.js';
import type { ContractProxy } from './mastodon-contract-proxy.js';
import { startSqlStatementCounter } from './sql-statement-counter.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(240_000);

const PASSWORD = 'long enough password';
const SCOPES = 'read write follow push';
const CUSTOM_REDIRECT = 'com.tributary.test:/callback';
const OOB = 'urn:ietf:wg:oauth:2.0:oob';
const RUN = Date.now();
/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);

let net: BlueskyNetworkClient;
let fake: FakeMastodonServer;
let instance: TestInstance;
let proxy: ContractProxy;
let gql: ReturnType<typeof graphqlClient>;
let aliceGraphqlToken: string;
let bobGraphqlToken: string;
let sam: TestBlueskyAccount;
let samM: FakeAccount;
let reader: FakeAccount;
let bskyRoot: { uri: string; cid: string };
let bskyReply: { uri: string; cid: string };
let mastoToken: string;
let mastoApp: { clientId: string; clientSecret: string };
let megaToken: string;
let mastodonAccountId: string;
let masto: mastodon.rest.Client;
let mega: MegalodonInterface;

const htmlDecode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The consent page driven as a browser would: read the form, log in, authorize; the code it yields. */
async function consent(authorizeUrl: string, username: string): Promise<string> {
  const page = await fetch(authorizeUrl);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('Authorize');
  const fields = Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
      m[1]!,
      htmlDecode(m[2]!),
    ]),
  );
  const post = (password: string) =>
    fetch(new URL('/oauth/authorize', authorizeUrl), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, username, password, decision: 'authorize' }),
    });
  // A wrong password shows the form again with the error, and issues nothing.
  const wrong = await post('not the password');
  expect(wrong.status).toBe(401);
  expect(await wrong.text()).toContain('invalid username or password');
  const res = await post(PASSWORD);
  if (res.status === 200) {
    const oob = /<code>([^<]+)<\/code>/.exec(await res.text());
    return htmlDecode(oob![1]!);
  }
  expect(res.status).toBe(302);
  const location = res.headers.get('location')!;
  expect(new URL(location).searchParams.get('state')).toBe(fields['state'] ?? null);
  return new URL(location).searchParams.get('code')!;
}

async function graphqlTimelineUris(token: string): Promise<string[]> {
  const res = await gql<{ timeline: { edges: { node: { post: { uri: string } } }[] } }>(
    '{ timeline(first: 100) { edges { node { post { uri } } } } }',
    {},
    token,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.timeline.edges.map((e) => e.node.post.uri);
}

const statusUri = (s: { uri: string; reblog?: { uri: string } | null }) => s.reblog?.uri ?? s.uri;

/** masto's user stream for alice's app (over WebSocket); `close` ends the subscription and the socket. */
function userStream() {
  const streaming = createStreamingAPIClient({
    streamingApiUrl: instance.apiUrl.replace(/^http/, 'ws'),
    accessToken: mastoToken,
    implementation: WebSocket,
  });
  const subscription = streaming.user.subscribe();
  return {
    subscription,
    close: () => {
      subscription.unsubscribe();
      streaming.close();
    },
  };
}

/** `userStream()`, every event it receives collected in `events`, in order. */
function collectUserStream() {
  const stream = userStream();
  const events: mastodon.streaming.Event[] = [];
  void (async () => {
    for await (const event of stream.subscription) events.push(event);
  })();
  return { events, close: stream.close };
}

beforeAll(async () => {
  net = await blueskyNetwork();
  fake = await FakeMastodonServer.start();
  const viewer = await net.createAccount(`viewer${RUN % 100000}`);
  sam = await net.createAccount(`sam${RUN % 100000}`);
  await viewer.agent.follow(sam.did);
  reader = fake.createAccount('reader');
  samM = fake.createAccount('samm');
  fake.follow(reader, samM);

  // Three Bluesky posts (a root and a reply to it among them) and three Mastodon ones, one behind a
  // content warning, a minute apart so the merged order interleaves.
  const at = (minutesAgo: number) => new Date(RUN - minutesAgo * 60_000).toISOString();
  bskyRoot = await sam.agent.post({ text: `bluesky root ${RUN}`, createdAt: at(60) });
  bskyReply = await sam.agent.post({
    text: `bluesky reply ${RUN}`,
    createdAt: at(40),
    reply: { root: bskyRoot, parent: bskyRoot },
  });
  const third = new RichText({ text: `bluesky third #tributary ${RUN}` });
  await third.detectFacets(sam.agent);
  await sam.agent.post({ text: third.text, facets: third.facets, createdAt: at(20) });
  await net.processAll();
  fake.post(samM, { text: `mastodon one ${RUN}` });
  fake.post(samM, { text: `mastodon two ${RUN}`, spoilerText: 'plot spoilers' });
  fake.post(samM, { text: `mastodon three ${RUN}` });

  // Notifications of alice's accounts, one network each: sam likes (favourites) her posts, and follows her on Mastodon.
  const own = await viewer.agent.post({ text: `viewer's own ${RUN}`, createdAt: at(50) });
  await sam.agent.like(own.uri, own.cid);
  await net.processAll();
  fake.favourite(samM, fake.post(reader, { text: `reader's own ${RUN}` }));
  fake.follow(samM, reader);

  instance = await startTestInstance({
    ROLE: 'all',
    POLL_INTERVAL_SECONDS: '3600',
    BACKFILL_DEPTH: '20',
    MASTODON_ALLOWED_HOSTS: fake.host,
    MASTODON_ALLOW_HTTP: 'true',
  });
  gql = graphqlClient(instance.apiUrl);
  const auth = instance.running.apps.at(-1)!.get(AuthService);
  const signUp = async (username: string) => {
    const { code } = await auth.createInvite(null, 'MEMBER');
    const res = await gql<{ signUp: { token: string } }>(
      'mutation($i: String!, $u: String!, $p: String!) { signUp(invite: $i, username: $u, password: $p) { token } }',
      { i: code, u: username, p: PASSWORD },
    );
    expect(res.errors).toBeUndefined();
    return res.data!.signUp.token;
  };
  aliceGraphqlToken = await signUp('alice');
  bobGraphqlToken = await signUp('bob');
  await linkBluesky(gql, aliceGraphqlToken, viewer, net.info.pdsUrl);
  mastodonAccountId = await linkMastodon(gql, aliceGraphqlToken, fake.origin, fake.issueToken(reader));
  await waitFor(
    'six posts in alice’s timeline',
    async () => (await graphqlTimelineUris(aliceGraphqlToken)).length >= 6,
  );
  proxy = await startContractProxy(instance.apiUrl);
});

afterAll(async () => {
  await proxy?.close();
  await instance?.stop();
  await fake?.close();
});

describe('logging in as a Mastodon app', () => {
  it('masto: discovery, app registration with a custom scheme, authorization code with PKCE, verify credentials', async () => {
    const nodeinfo = (await (await fetch(`${proxy.url}/.well-known/nodeinfo`)).json()) as {
      links: { href: string }[];
    };
    expect((await fetch(nodeinfo.links[0]!.href)).status).toBe(200);
    const metadata = (await (
      await fetch(`${proxy.url}/.well-known/oauth-authorization-server`)
    ).json()) as Record<string, unknown>;
    expect(metadata['code_challenge_methods_supported']).toEqual(['S256']);

    const anonymous = createRestAPIClient({ url: proxy.url });
    const instanceV2 = await anonymous.v2.instance.fetch();
    expect(instanceV2.version).toMatch(/^4\.2\.0 \(compatible; Tributary \d+\.\d+\)$/);
    expect(instanceV2.apiVersions).toEqual({ mastodon: 1 });
    const v1 = await anonymous.v1.instance.fetch();
    expect(v1.configuration.statuses.maxCharacters).toBe(300);

    const app = await anonymous.v1.apps.create({
      clientName: 'masto test',
      redirectUris: [CUSTOM_REDIRECT, 'https://app.example/callback'] as unknown as string,
      scopes: SCOPES,
    });
    expect(app.clientId).toBeTruthy();
    mastoApp = { clientId: app.clientId!, clientSecret: app.clientSecret! };
    const verifier = randomBytes(32).toString('base64url');
    const authorize = new URL('/oauth/authorize', proxy.url);
    authorize.search = new URLSearchParams({
      client_id: app.clientId!,
      redirect_uri: CUSTOM_REDIRECT,
      response_type: 'code',
      scope: SCOPES,
      state: 'state-123',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const code = await consent(authorize.href, 'alice');
    const oauth = createOAuthAPIClient({ url: proxy.url });
    // PKCE: the verifier and no secret, as a public client sends it.
    const token = await oauth.token.create({
      grantType: 'authorization_code',
      clientId: app.clientId!,
      redirectUri: CUSTOM_REDIRECT,
      code,
      codeVerifier: verifier,
    } as unknown as mastodon.oauth.CreateTokenParams);
    expect(token.scope).toBe(SCOPES);
    mastoToken = token.accessToken;
    // A code works once.
    await expect(
      oauth.token.create({
        grantType: 'authorization_code',
        clientId: app.clientId!,
        redirectUri: CUSTOM_REDIRECT,
        code,
        codeVerifier: verifier,
      } as unknown as mastodon.oauth.CreateTokenParams),
    ).rejects.toThrow();
    masto = createRestAPIClient({ url: proxy.url, accessToken: mastoToken });
    const me = await masto.v1.accounts.verifyCredentials();
    expect(me.username).toBe('alice');
    expect((await masto.v1.apps.verifyCredentials()).name).toBe('masto test');
    // A preflight from a browser app is answered for the API, with Link readable.
    const preflight = await fetch(`${proxy.url}/api/v1/timelines/home`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://elk.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization');

    // The app's token is a Tributary token like any other: listed with them.
    const tokens = await gql<{ tokens: { name: string }[] }>('{ tokens { name } }', {}, aliceGraphqlToken);
    expect(tokens.errors).toBeUndefined();
    expect(tokens.data!.tokens.map((t) => t.name)).toContain('Mastodon app: masto test');
  });

  it('megalodon: out-of-band code with the client secret', async () => {
    const anonymous = generator('mastodon', proxy.url);
    const app = await anonymous.registerApp('megalodon test', {
      scopes: SCOPES.split(' '),
      redirect_uris: OOB,
    });
    const code = await consent(app.url!, 'alice');
    const token = await anonymous.fetchAccessToken(app.client_id, app.client_secret, code, OOB);
    megaToken = token.access_token;
    mega = generator('mastodon', proxy.url, megaToken);
    const me = await mega.verifyAccountCredentials();
    expect(me.data.username).toBe('alice');
    await expect(
      generator('mastodon', proxy.url, 'trb_not-a-token').verifyAccountCredentials(),
    ).rejects.toMatchObject({
      response: { status: 401 },
    });
  });
});

describe('reading', () => {
  it('masto: home pages both networks newest first, without gaps or duplicates while a post arrives', async () => {
    const expected = await graphqlTimelineUris(aliceGraphqlToken);
    const seen: mastodon.v1.Status[] = [];
    let arrived = '';
    for await (const page of masto.v1.timelines.home.list({ limit: 2 })) {
      seen.push(...page);
      if (!arrived) {
        arrived = `arrived meanwhile ${RUN}`;
        fake.post(samM, { text: arrived });
        await waitFor(
          'the new post in the timeline',
          async () => (await graphqlTimelineUris(aliceGraphqlToken)).length > expected.length,
        );
      }
    }
    const uris = seen.map(statusUri);
    expect(new Set(uris).size).toBe(uris.length);
    expect([...uris].sort()).toEqual([...expected].sort());
    expect(uris.some((u) => u.startsWith('at://'))).toBe(true);
    expect(uris.some((u) => u.startsWith('http'))).toBe(true);
    const times = seen.map((s) => Date.parse(s.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const s of seen) expect(s.id).toMatch(/^1\d{18}$/);
    // The post that arrived meanwhile is above the first page: `min_id` pages forward to it.
    const newer = await masto.v1.timelines.home.list({ minId: seen[0]!.id, limit: 5 });
    expect(newer.map((s) => s.content).join()).toContain(arrived);
    // Ids are the same on every read.
    const again = await masto.v1.timelines.home.list({ limit: 40 });
    expect(again.find((s) => statusUri(s) === uris[0])!.id).toBe(seen[0]!.id);
  });

  it('megalodon: home with max_id paging, statuses mapped from both networks', async () => {
    const all: { id: string; uri: string; content: string; tags: { name: string }[]; filtered?: unknown }[] =
      [];
    let maxId: string | undefined;
    for (;;) {
      const page = await mega.getHomeTimeline({ limit: 3, ...(maxId ? { max_id: maxId } : {}) });
      if (page.data.length === 0) break;
      all.push(...(page.data as unknown as typeof all));
      maxId = page.data.at(-1)!.id;
    }
    expect(new Set(all.map((s) => s.id)).size).toBe(all.length);
    const third = all.find((s) => s.content.includes('bluesky third'))!;
    expect(third.content).toContain('class="mention hashtag"');
    expect(third.tags.map((t) => t.name)).toContain('tributary');
    // The pipeline's content-warning verdict arrives as a Mastodon filter result (megalodon keeps no
    // `filtered`: read as an app that does reads it).
    const id = all.find((s) => s.content.includes('mastodon two'))!.id;
    const page = await fetch(`${proxy.url}/api/v1/timelines/home?limit=40`, {
      headers: { authorization: `Bearer ${megaToken}` },
    });
    const warned = ((await page.json()) as { id: string }[]).find((s) => s.id === id)! as unknown as {
      spoiler_text: string;
      filtered: { filter: { filter_action: string; title: string } }[];
    };
    expect(warned.spoiler_text).toBe('plot spoilers');
    expect(warned.filtered[0]!.filter.filter_action).toBe('warn');
    expect(warned.filtered[0]!.filter.title).toContain('plot spoilers');
  });

  it('masto: each pipeline is a list in its ranked order, paged with a cursor in max_id', async () => {
    const lists = await masto.v1.lists.list();
    expect(lists.map((l) => l.title)).toEqual(['Home']);
    const ranked = await graphqlTimelineUris(aliceGraphqlToken);
    const seen: string[] = [];
    for await (const page of masto.v1.timelines.list.$select(lists[0]!.id).list({ limit: 2 })) {
      seen.push(...page.map(statusUri));
    }
    expect(seen).toEqual(ranked);
    const raw = await fetch(`${proxy.url}/api/v1/timelines/list/${lists[0]!.id}?limit=2`, {
      headers: { authorization: `Bearer ${mastoToken}` },
    });
    expect(raw.headers.get('link')).toMatch(/max_id=[A-Za-z0-9_-]+>; rel="next"/);
    expect(raw.headers.get('access-control-expose-headers')).toContain('Link');
  });

  it('masto: a thread', async () => {
    const home = await masto.v1.timelines.home.list({ limit: 40 });
    const reply = home.find((s) => s.uri === bskyReply.uri)!;
    const context = await masto.v1.statuses.$select(reply.id).context.fetch();
    expect(context.ancestors.map((s) => s.uri)).toEqual([bskyRoot.uri]);
    expect(reply.inReplyToId).toBe(home.find((s) => s.uri === bskyRoot.uri)!.id);
  });

  it('masto: a status deleted at origin answers 404 and leaves home and a cached context', async () => {
    const parent = fake.post(samM, { text: `parent ${RUN}` });
    const doomed = fake.post(samM, { text: `doomed reply ${RUN}`, inReplyTo: parent });
    const inHome = async (text: string) =>
      (await masto.v1.timelines.home.list({ limit: 40 })).find((s) => s.content.includes(text));
    const shown = await waitFor('both in home', async () => {
      const [p, r] = [await inHome(`parent ${RUN}`), await inHome(`doomed reply ${RUN}`)];
      return p && r && { parent: p, reply: r };
    });
    const replies = async () =>
      (await masto.v1.statuses.$select(shown.parent.id).context.fetch()).descendants.map((s) => s.id);
    expect(await replies()).toEqual([shown.reply.id]); // fetched, and cached for a while
    const get = (id: string) =>
      fetch(`${proxy.url}/api/v1/statuses/${id}`, { headers: { authorization: `Bearer ${mastoToken}` } });
    expect((await get(shown.reply.id)).status).toBe(200);

    fake.deleteStatus(doomed);
    await waitFor('gone from home', async () => !(await inHome(`doomed reply ${RUN}`)));
    const gone = await get(shown.reply.id);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ error: 'Record not found' });
    // The thread cached before the delete no longer lists it.
    expect(await replies()).toEqual([]);
  });
});

describe('acting', () => {
  it('masto favourites a Mastodon post and megalodon boosts a Bluesky one, on their networks', async () => {
    const home = await masto.v1.timelines.home.list({ limit: 40 });
    const mastodonPost = home.find((s) => s.content.includes('mastodon one'))!;
    const favourited = await masto.v1.statuses.$select(mastodonPost.id).favourite();
    expect(favourited.favourited).toBe(true);
    await waitFor('the favourite at the Mastodon instance', async () =>
      fake.requests.some((r) => r.method === 'POST' && /\/api\/v1\/statuses\/[^/]+\/favourite$/.test(r.path)),
    );
    const blueskyPost = home.find((s) => s.uri === bskyRoot.uri)!;
    const boosted = await mega.reblogStatus(blueskyPost.id);
    expect((boosted.data as unknown as { reblogged: boolean }).reblogged).toBe(true);
    await waitFor('the repost on Bluesky', async () => {
      await net.processAll();
      const posts = await sam.agent.getPosts({ uris: [bskyRoot.uri] });
      return (posts.data.posts[0]?.repostCount ?? 0) >= 1;
    });
  });

  it('masto posts with an image and a content warning; megalodon replies', async () => {
    const media = await masto.v2.media.create({
      file: new Blob([PNG], { type: 'image/png' }),
      description: 'a red dot',
    });
    expect(media.url).toBeTruthy();
    const status = await masto.v1.statuses.create({
      status: `with a picture ${RUN}`,
      spoilerText: 'eye strain',
      mediaIds: [media.id],
    });
    expect(status.spoilerText).toBe('eye strain');
    expect(status.mediaAttachments.map((m) => m.description)).toEqual(['a red dot']);
    // Only to Mastodon: Bluesky has no content warnings.
    await waitFor('the status with its image at the Mastodon instance', async () =>
      [...fake.uploads.values()].some((u) => u.description === 'a red dot' && u.statusId !== null),
    );
    const actions = await gql<{ actions: { kind: string; network: string }[] }>(
      '{ actions(first: 10) { kind network } }',
      {},
      aliceGraphqlToken,
    );
    expect(actions.data!.actions.filter((a) => a.kind === 'POST').map((a) => a.network)).toEqual([
      'MASTODON',
    ]);

    const home = await mega.getHomeTimeline({ limit: 40 });
    const target = home.data.find((s) => s.content.includes('mastodon three'))!;
    const before = fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/statuses').length;
    const reply = await mega.postStatus(`a reply ${RUN}`, { in_reply_to_id: target.id });
    expect(reply.status).toBe(200);
    await waitFor(
      'the reply at the Mastodon instance',
      async () =>
        fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/statuses').length > before,
    );
  });

  it('megalodon opens a poll: posted to Mastodon alone, with its options', async () => {
    const posted = await mega.postStatus(`a poll ${RUN}`, {
      poll: { options: ['up', 'down'], expires_in: 600, multiple: true },
    });
    expect(posted.status).toBe(200);
    const action = await waitFor('the poll posted', async () => {
      const res = await gql<{
        actions: { kind: string; network: string; status: string; resultUri: string }[];
      }>('{ actions(first: 1) { kind network status resultUri } }', {}, aliceGraphqlToken);
      const latest = res.data!.actions[0]!;
      return latest.status !== 'PENDING' ? latest : null;
    });
    expect(action).toMatchObject({ kind: 'POST', network: 'MASTODON', status: 'DONE' });
    const res = await fetch(`${fake.origin}/api/v1/statuses/${action.resultUri.split('/').pop()}`);
    const status = (await res.json()) as { poll: { options: { title: string }[]; multiple: boolean } };
    expect(status.poll).toMatchObject({ options: [{ title: 'up' }, { title: 'down' }], multiple: true });
  });

  it('masto votes in a Mastodon poll through alice’s account there; a Bluesky status has no poll to vote in', async () => {
    const polled = fake.post(samM, { text: `vote here ${RUN}`, poll: { options: ['tea', 'coffee'] } });
    const shown = await waitFor('the poll in home', async () =>
      (await masto.v1.timelines.home.list({ limit: 40 })).find((s) => s.content.includes(`vote here ${RUN}`)),
    );
    expect(shown.poll).toMatchObject({ id: shown.id, voted: false, votesCount: 0 });
    const voted = await masto.v1.polls.$select(shown.poll!.id).votes.create({ choices: [1] });
    expect(voted).toMatchObject({
      id: shown.id,
      voted: true,
      ownVotes: [1],
      votesCount: 1,
      options: [
        { title: 'tea', votesCount: 0 },
        { title: 'coffee', votesCount: 1 },
      ],
    });
    // Cast on the instance by alice's account there.
    await waitFor('the vote on the instance', async () => {
      const poll = (await (
        await fetch(`${fake.origin}/api/v1/polls/${polled}`, {
          headers: { authorization: `Bearer ${fake.issueToken(reader)}` },
        })
      ).json()) as { own_votes?: number[] };
      return poll.own_votes?.[0] === 1;
    });
    const endpoint = await masto.v1.polls.$select(shown.poll!.id).fetch();
    expect(endpoint).toMatchObject({ voted: true, ownVotes: [1] });
    // Every status that embeds the poll says what the poll endpoint says: home, a list, the status.
    const [list] = await masto.v1.lists.list();
    const embedded = {
      home: (await masto.v1.timelines.home.list({ limit: 40 })).find((s) => s.id === shown.id)?.poll,
      list: (await masto.v1.timelines.list.$select(list!.id).list({ limit: 40 })).find(
        (s) => s.id === shown.id,
      )?.poll,
      status: (await masto.v1.statuses.$select(shown.id).fetch()).poll,
    };
    expect(embedded).toEqual({ home: endpoint, list: endpoint, status: endpoint });
    // Refused before anything is queued: an option the poll does not have.
    await expect(masto.v1.polls.$select(shown.poll!.id).votes.create({ choices: [2] })).rejects.toMatchObject(
      {
        statusCode: 422,
      },
    );

    const bluesky = (await masto.v1.timelines.home.list({ limit: 40 })).find((s) =>
      s.uri.startsWith('at://'),
    )!;
    const res = await fetch(`${proxy.url}/api/v1/polls/${bluesky.id}/votes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${mastoToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ choices: [0] }),
    });
    expect({ status: res.status, body: await res.json() }).toEqual({
      status: 422,
      body: { error: 'Bluesky has no polls: this status is a Bluesky post' },
    });
  });

  it('masto searches both networks: statuses, an account it then opens, a hashtag', async () => {
    const found = await masto.v2.search.list({ q: String(RUN), type: 'statuses', limit: 40 });
    const texts = found.statuses.map((s) => htmlDecode(s.content));
    expect(texts).toEqual(
      expect.arrayContaining([
        expect.stringContaining('bluesky root'),
        expect.stringContaining('mastodon one'),
      ]),
    );
    expect(found.accounts).toEqual([]);
    // Someone whose posts never reached alice: the account opens as their network shows them.
    fake.createAccount('hermit', { displayName: 'The Hermit', note: 'keeps to herself' });
    const people = await masto.v2.search.list({ q: 'hermit', type: 'accounts' });
    expect(people.accounts.map((a) => a.acct)).toEqual([`hermit@${fake.host}`]);
    const hermit = await masto.v1.accounts.$select(people.accounts[0]!.id).fetch();
    expect(hermit).toMatchObject({ displayName: 'The Hermit', note: '<p>keeps to herself</p>' });
    const tags = await masto.v2.search.list({ q: '#tributary', type: 'hashtags' });
    expect(tags.hashtags.map((t) => t.name)).toContain('tributary');
    // Paged by offset, as Mastodon pages a search.
    const second = await masto.v2.search.list({ q: String(RUN), type: 'statuses', limit: 2, offset: 2 });
    expect(second.statuses.map((s) => s.id)).toEqual(found.statuses.slice(2, 4).map((s) => s.id));
  });

  it('markers are the read position GraphQL’s markRead keeps', async () => {
    const home = await masto.v1.timelines.home.list({ limit: 5 });
    await masto.v1.markers.create({ home: { lastReadId: home[2]!.id } });
    const markers = await mega.getMarkers(['home']);
    expect((markers.data as { home?: { last_read_id: string } }).home!.last_read_id).toBe(home[2]!.id);
    // markRead through GraphQL moves the same marker.
    const page = await gql<{
      timeline: { edges: { cursor: string; node: { post: { uri: string } } }[] };
      pipelines: { id: string; isDefault: boolean }[];
    }>(
      '{ timeline(first: 1) { edges { cursor node { post { uri } } } } pipelines { id isDefault } }',
      {},
      aliceGraphqlToken,
    );
    const edge = page.data!.timeline.edges[0]!;
    const marked = await gql(
      'mutation($p: ID!, $c: String!) { markRead(pipeline: $p, position: $c) }',
      { p: page.data!.pipelines.find((p) => p.isDefault)!.id, c: edge.cursor },
      aliceGraphqlToken,
    );
    expect(marked.errors).toBeUndefined();
    const after = await masto.v1.markers.fetch({ timeline: ['home'] });
    const status = await masto.v1.statuses.$select(after.home!.lastReadId).fetch();
    expect(statusUri(status)).toBe(edge.node.post.uri);
  });
});

describe('cost of a page', () => {
  it('home and a list page, read again, are one SQL statement each, with what alice did to the posts, around a status id too', async () => {
    // An API process of its own, behind a proxy that records what reaches PostgreSQL.
    const counter = await startSqlStatementCounter(instance.databaseUrl);
    const counted = await start(
      loadConfig({
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k === 'PATH')),
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: instance.config.DATA_DIR,
        DATABASE_URL: counter.url(instance.databaseUrl),
        QUEUE_PREFIX: instance.config.QUEUE_PREFIX,
        LOG_LEVEL: 'warn',
        REDIS_EMBEDDED: 'false',
        REDIS_URL: instance.config.REDIS_URL,
        ROLE: 'api',
      }),
    );
    try {
      const client = createRestAPIClient({ url: counted.apiUrl!, accessToken: mastoToken });
      const [list] = await client.v1.lists.list();
      const reads = {
        home: () => client.v1.timelines.home.list({ limit: 40 }),
        list: () => client.v1.timelines.list.$select(list!.id).list({ limit: 40 }),
      };
      for (const [name, read] of Object.entries(reads)) {
        await read(); // the first read of a process looks its ids up
        counter.reset();
        const page = await read();
        // The favourite and the boost of the test before, read with the page.
        expect(page.find((s) => s.content.includes('mastodon one'))?.favourited).toBe(true);
        expect(page.find((s) => statusUri(s) === bskyRoot.uri)?.reblogged).toBe(true);
        expect(page.every((s) => s.bookmarked === false)).toBe(true);
        // The statements themselves in the failure message: what to look at when this breaks.
        expect({ name, statements: counter.statements }).toEqual({
          name,
          statements: [expect.stringContaining('"TimelineEntry"')],
        });
      }
      // Pages around a status id (and a list's cursor) find where it stands in the same statement.
      const home = await reads.home();
      const ranked = await client.v1.timelines.list.$select(list!.id).list({ limit: 2 });
      const next = await fetch(`${counted.apiUrl}/api/v1/timelines/list/${list!.id}?limit=2`, {
        headers: { authorization: `Bearer ${mastoToken}` },
      });
      const cursor = /max_id=([^&>]+)/.exec(next.headers.get('link') ?? '')![1]!;
      const middle = home[2]!.id;
      const bounded: Record<string, () => PromiseLike<mastodon.v1.Status[]>> = {
        'home max_id': () => client.v1.timelines.home.list({ limit: 40, maxId: middle }),
        'home since_id': () => client.v1.timelines.home.list({ limit: 40, sinceId: middle }),
        'home min_id': () => client.v1.timelines.home.list({ limit: 1, minId: middle }),
        'list max_id (a status id)': () =>
          client.v1.timelines.list.$select(list!.id).list({ limit: 40, maxId: ranked[0]!.id }),
        'list min_id (a status id)': () =>
          client.v1.timelines.list.$select(list!.id).list({ limit: 1, minId: ranked[1]!.id }),
        'list max_id (a cursor)': () =>
          client.v1.timelines.list.$select(list!.id).list({ limit: 40, maxId: cursor }),
      };
      const expected: Record<string, string[]> = {
        'home max_id': home.slice(3).map((s) => s.id),
        'home since_id': home.slice(0, 2).map((s) => s.id),
        'home min_id': [home[1]!.id],
        'list max_id (a status id)': (await client.v1.timelines.list.$select(list!.id).list({ limit: 40 }))
          .slice(1)
          .map((s) => s.id),
        'list min_id (a status id)': [ranked[0]!.id],
      };
      expected['list max_id (a cursor)'] = expected['list max_id (a status id)']!.slice(1);
      for (const [name, read] of Object.entries(bounded)) {
        counter.reset();
        const page = await read();
        expect({ name, ids: page.map((s) => s.id) }).toEqual({ name, ids: expected[name] });
        expect({ name, statements: counter.statements }).toEqual({
          name,
          statements: [expect.stringContaining('"TimelineEntry"')],
        });
      }
    } finally {
      await counted.stop();
      await counter.close();
    }
  });
});

describe('streaming', () => {
  it('masto (WebSocket, token as subprotocol or query) and megalodon receive an update', async () => {
    const stream = userStream();
    const megaDirect = generator('mastodon', instance.apiUrl, megaToken);
    const socket = await megaDirect.userStreaming();
    const megaUpdates: { content: string }[] = [];
    socket.on('update', (status: { content: string }) => megaUpdates.push(status));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const live = `live over the stream ${RUN}`;
    fake.post(samM, { text: live });
    const received = await (async () => {
      for await (const event of stream.subscription) {
        if (event.event === 'update' && event.payload.content.includes(live)) return event.payload;
      }
      return null;
    })();
    expect(received!.id).toMatch(/^1\d{18}$/);
    await waitFor(
      'megalodon’s update',
      async () => megaUpdates.some((s) => s.content.includes(live)),
      20_000,
    );
    stream.close();
    socket.stop();
  });

  it('masto receives status.update and delete for statuses edited and deleted at origin or through the API', async () => {
    const stream = collectUserStream();
    const { events } = stream;
    const status = (
      what: string,
      name: 'update' | 'status.update',
      match: (s: mastodon.v1.Status) => boolean,
    ) =>
      waitFor(what, async () => {
        const found = events.find((e) => e.event === name && match(e.payload as mastodon.v1.Status));
        return found?.payload as mastodon.v1.Status | undefined;
      });
    const deleted = (what: string, id: string) =>
      waitFor(what, async () => events.some((e) => e.event === 'delete' && e.payload === id));
    await new Promise((resolve) => setTimeout(resolve, 1000));

    // Sam's status, edited and then deleted on his instance.
    const samStatus = fake.post(samM, { text: `before the edit ${RUN}` });
    const shown = await status('the update', 'update', (s) => s.content.includes(`before the edit ${RUN}`));
    fake.editStatus(samStatus, { text: `after the edit ${RUN}` });
    const edited = await status('the status.update', 'status.update', (s) => s.id === shown.id);
    expect(edited.content).toContain(`after the edit ${RUN}`);
    // When it was edited, as its instance says.
    const atOrigin = (await (await fetch(`${fake.origin}/api/v1/statuses/${samStatus}`)).json()) as {
      edited_at: string;
    };
    expect(edited.editedAt).toBe(new Date(atOrigin.edited_at).toISOString());
    fake.deleteStatus(samStatus);
    await deleted('the delete', shown.id);

    // Alice's own (a content warning keeps it to Mastodon), deleted through the API: the delete
    // reaches her stream once her instance did it.
    await masto.v1.statuses.create({ status: `mine, soon gone ${RUN}`, spoilerText: 'brief' });
    const mine = await status('my update', 'update', (s) => s.content.includes(`mine, soon gone ${RUN}`));
    await masto.v1.statuses.$select(mine.id).remove();
    await deleted('my delete', mine.id);
    expect(events.filter((e) => e.event === 'delete').map((e) => e.payload)).toEqual([shown.id, mine.id]);

    stream.close();
  });
});

describe('streaming what leaves the timeline', () => {
  it('masto receives delete for the statuses a removed source had brought', async () => {
    const stranger = fake.createAccount('stranger');
    const listId = fake.createList(reader, 'Strangers', [stranger]);
    fake.post(stranger, { text: `from a list ${RUN}` });
    const sourceId = await addSource(gql, aliceGraphqlToken, mastodonAccountId, 'LIST', listId);
    const shown = await waitFor('the list’s status in home', async () =>
      (await masto.v1.timelines.home.list({ limit: 40 })).find((s) =>
        s.content.includes(`from a list ${RUN}`),
      ),
    );

    const stream = collectUserStream();
    const deletes = () => stream.events.filter((e) => e.event === 'delete').map((e) => e.payload);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await removeSource(gql, aliceGraphqlToken, sourceId);
    await waitFor('the delete', async () => deletes().includes(shown.id));
    expect(deletes()).toEqual([shown.id]);
    expect((await masto.v1.timelines.home.list({ limit: 40 })).map((s) => s.id)).not.toContain(shown.id);

    stream.close();
  });

  it('masto receives delete for a boost whose status stays, then the status itself, when the boost’s source goes', async () => {
    // Sam's status reaches home by itself (alice follows sam), then as a booster's boost through a
    // list source: home shows the boost. The list source removed, the status stays, unboosted.
    const booster = fake.createAccount('booster');
    const listId = fake.createList(reader, 'Boosters', [booster]);
    const original = fake.post(samM, { text: `boosted, then not ${RUN}` });
    const plain = await waitFor('the status in home', async () =>
      (await masto.v1.timelines.home.list({ limit: 40 })).find((s) =>
        s.content.includes(`boosted, then not ${RUN}`),
      ),
    );
    fake.boost(booster, original);
    const sourceId = await addSource(gql, aliceGraphqlToken, mastodonAccountId, 'LIST', listId);
    const boosted = await waitFor('the boost in home', async () =>
      (await masto.v1.timelines.home.list({ limit: 40 })).find((s) => s.reblog?.id === plain.id),
    );
    expect(boosted.id).not.toBe(plain.id);

    const stream = collectUserStream();
    const { events } = stream;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await removeSource(gql, aliceGraphqlToken, sourceId);
    // As Mastodon does when a boost is undone: `delete` with the boost's id; then the status as
    // home now shows it, which the app had only inside the boost.
    const update = await waitFor('the status as an update', async () =>
      events.find((e) => e.event === 'update' && e.payload.id === plain.id),
    );
    expect(update.payload).toMatchObject({ id: plain.id, reblog: null });
    expect(
      events
        .filter((e) => e.event === 'delete' || e.event === 'update')
        .map((e) => [e.event, e.event === 'delete' ? e.payload : (e.payload as { id: string }).id]),
    ).toEqual([
      ['delete', boosted.id],
      ['update', plain.id],
    ]);
    const home = await masto.v1.timelines.home.list({ limit: 40 });
    expect(home.map((s) => s.id)).toContain(plain.id);
    expect(home.map((s) => s.id)).not.toContain(boosted.id);

    stream.close();
  });
});

/**
 * What each app asks for at start-up after login, from INTEROP.md §4 (the endpoints those apps'
 * start-up needs) in the order each asks: every one must answer 200 with JSON, never 404.
 */
const STARTUP: Record<string, string[]> = {
  Ivory: [
    '/api/v1/instance',
    '/api/v2/instance',
    '/api/v1/accounts/verify_credentials',
    '/api/v1/preferences',
    '/api/v1/custom_emojis',
    '/api/v1/lists',
    '/api/v2/filters',
    '/api/v1/markers?timeline[]=home&timeline[]=notifications',
    '/api/v1/timelines/home?limit=40',
    '/api/v1/notifications?limit=40',
    '/api/v1/announcements',
    '/api/v1/followed_tags',
  ],
  Elk: [
    '/.well-known/nodeinfo',
    '/nodeinfo/2.0',
    '/api/v2/instance',
    '/api/v1/accounts/verify_credentials',
    '/api/v1/custom_emojis',
    '/api/v2/filters',
    '/api/v1/preferences',
    '/api/v1/timelines/home?limit=20',
    '/api/v1/notifications?limit=20',
    '/api/v1/conversations',
    '/api/v1/trends/tags',
  ],
  Phanpy: [
    '/api/v2/instance',
    '/api/v1/instance',
    '/api/v1/accounts/verify_credentials',
    '/api/v1/preferences',
    '/api/v1/lists',
    '/api/v1/followed_tags',
    '/api/v1/markers?timeline[]=home',
    '/api/v1/timelines/home?limit=20',
    '/api/v1/announcements',
    '/api/v1/notifications?limit=30',
    '/api/v1/follow_requests',
  ],
  'Ice Cubes': [
    '/api/v1/instance',
    '/api/v2/instance',
    '/api/v1/accounts/verify_credentials',
    '/api/v1/custom_emojis',
    '/api/v1/lists',
    '/api/v1/followed_tags',
    '/api/v2/filters',
    '/api/v1/timelines/home?limit=40',
    '/api/v1/markers?timeline[]=home',
    '/api/v1/notifications?limit=15',
    '/api/v2/suggestions',
  ],
  Tusky: [
    '/api/v1/instance',
    '/api/v2/instance',
    '/api/v1/accounts/verify_credentials',
    '/api/v1/preferences',
    '/api/v1/custom_emojis',
    '/api/v1/filters',
    '/api/v2/filters',
    '/api/v1/lists',
    '/api/v1/announcements',
    '/api/v1/timelines/home?limit=30',
    '/api/v1/notifications?limit=30',
    '/api/v1/markers?timeline[]=notifications',
  ],
};

describe('start-up sequences of real apps', () => {
  it.each(Object.keys(STARTUP))('%s: every start-up request is answered 200 with JSON', async (app) => {
    for (const path of STARTUP[app]!) {
      const res = await fetch(`${proxy.url}${path}`, {
        headers: { authorization: `Bearer ${megaToken}`, origin: 'https://app.example' },
      });
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.headers.get('content-type')).toContain('application/json');
      if (path.startsWith('/api/')) expect(res.headers.get('access-control-allow-origin')).toBe('*');
      await res.json();
    }
  });

  it('refuses what OAuth must refuse, and gives an app its own token', async () => {
    const bad = await fetch(`${proxy.url}/api/v1/apps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'evil', redirect_uris: 'javascript:alert(1)' }),
    });
    expect(bad.status).toBe(422);
    const form = await fetch(`${proxy.url}/api/v1/apps`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_name: 'form app',
        redirect_uris: `${OOB}\nhttps://a.example/cb`,
        scopes: 'read write follow push profile',
      }),
    });
    expect(form.status).toBe(200);
    const app = (await form.json()) as { client_id: string; client_secret: string; redirect_uris: string[] };
    expect(app.redirect_uris).toEqual([OOB, 'https://a.example/cb']);
    // An unregistered redirect URI is never redirected to.
    const stray = await fetch(
      `${proxy.url}/oauth/authorize?response_type=code&client_id=${app.client_id}&redirect_uri=${encodeURIComponent('https://evil.example/')}`,
      { redirect: 'manual' },
    );
    expect(stray.status).toBe(400);
    const token = await createOAuthAPIClient({ url: proxy.url }).token.create({
      grantType: 'client_credentials',
      clientId: app.client_id,
      clientSecret: app.client_secret,
      redirectUri: OOB,
      scope: 'read',
    });
    const asApp = createRestAPIClient({ url: proxy.url, accessToken: token.accessToken });
    expect((await asApp.v1.apps.verifyCredentials()).name).toBe('form app');
    // An app's own token reads no member's data.
    await expect(asApp.v1.timelines.home.list()).rejects.toMatchObject({ statusCode: 401 });
  });
});

describe('notifications', () => {
  it('masto lists both networks’ notifications with Tributary ids; megalodon pages them by max_id, since_id and min_id', async () => {
    const all = await waitFor('notifications from both networks', async () => {
      const page = await masto.v1.notifications.list({ limit: 40 });
      return page.length >= 3 ? page : null;
    });
    expect(all.map((n) => n.type).sort()).toEqual(['favourite', 'favourite', 'follow']);
    expect(new Set(all.map((n) => n.account.acct))).toEqual(
      new Set([sam.handle, `${samM.username}@${fake.host}`]),
    );
    const liked = all.filter((n) => n.type === 'favourite').map((n) => htmlDecode(n.status!.content));
    expect(liked.sort()).toEqual([
      expect.stringContaining(`reader's own ${RUN}`),
      expect.stringContaining(`viewer's own ${RUN}`),
    ]);
    // Snowflake ids of Tributary's, the same on every read. (Two notifications of one millisecond
    // may get ids out of list order: the id's sequence part is drawn at random; see the report.)
    expect(all.every((n) => /^\d{17,19}$/.test(n.id))).toBe(true);
    expect((await masto.v1.notifications.list({ limit: 40 })).map((n) => n.id)).toEqual(all.map((n) => n.id));

    const page = async (params: Record<string, string | number>) =>
      (await mega.getNotifications(params)).data.map((n) => n.id);
    expect(await page({ limit: 1 })).toEqual([all[0]!.id]);
    expect(await page({ limit: 1, max_id: all[0]!.id })).toEqual([all[1]!.id]);
    expect(await page({ limit: 40, since_id: all[2]!.id })).toEqual([all[0]!.id, all[1]!.id]);
    expect(await page({ limit: 1, min_id: all[2]!.id })).toEqual([all[1]!.id]);
  });

  it('a new notification reaches masto on the user stream (WebSocket) and an SSE user stream', async () => {
    const stream = userStream();
    const sse = new AbortController();
    const sseResponse = await fetch(`${instance.apiUrl}/api/v1/streaming/user`, {
      headers: { authorization: `Bearer ${mastoToken}` },
      signal: sse.signal,
    });
    expect(sseResponse.headers.get('content-type')).toContain('text/event-stream');
    let sseText = '';
    void (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of sseResponse.body!) sseText += decoder.decode(chunk as Uint8Array);
    })().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const liked = `liked live ${RUN}`;
    fake.favourite(samM, fake.post(reader, { text: liked }));
    const received = await (async () => {
      for await (const event of stream.subscription) {
        if (event.event === 'notification' && event.payload.status?.content.includes(liked))
          return event.payload;
      }
      return null;
    })();
    expect(received).toMatchObject({ type: 'favourite', account: { acct: `${samM.username}@${fake.host}` } });
    // The same notification, with the same id, as the list then shows it.
    expect((await masto.v1.notifications.list({ limit: 1 }))[0]!.id).toBe(received!.id);
    await waitFor('the notification over SSE', async () => sseText.includes('event: notification'), 20_000);
    const data = /event: notification\ndata: (.*)\n/.exec(sseText)![1]!;
    expect((JSON.parse(data) as { id: string }).id).toBe(received!.id);
    stream.close();
    sse.abort();
  });

  it('masto dismisses one notification, megalodon clears the rest: gone for alice everywhere, read on her networks', async () => {
    const before = await masto.v1.notifications.list({ limit: 40 });
    expect(before.length).toBe(4);
    const bob = generator('mastodon', proxy.url, bobGraphqlToken);
    await expect(bob.dismissNotification(before[0]!.id)).rejects.toMatchObject({ response: { status: 404 } });
    expect((await masto.v1.notifications.list({ limit: 40 })).map((n) => n.id)).toEqual(
      before.map((n) => n.id),
    );

    await masto.v1.notifications.$select(before[0]!.id).dismiss();
    expect((await masto.v1.notifications.list({ limit: 40 })).map((n) => n.id)).toEqual(
      before.slice(1).map((n) => n.id),
    );
    await expect(masto.v1.notifications.$select(before[0]!.id).dismiss()).rejects.toMatchObject({
      statusCode: 404,
    });

    const markersBefore = fake.requests.filter(
      (r) => r.method === 'POST' && r.path === '/api/v1/markers',
    ).length;
    await mega.dismissNotifications();
    expect((await mega.getNotifications({ limit: 40 })).data).toEqual([]);
    expect(await masto.v1.notifications.list({ limit: 40 })).toEqual([]);
    // One data path: GraphQL's list and unread count agree.
    const graphql = await gql<{ notifications: { edges: unknown[] }; unreadNotificationCount: number }>(
      '{ notifications(first: 50) { edges { node { id } } } unreadNotificationCount }',
      {},
      aliceGraphqlToken,
    );
    expect(graphql.errors).toBeUndefined();
    expect(graphql.data).toEqual({ notifications: { edges: [] }, unreadNotificationCount: 0 });
    // Cleared is read: the read position goes on to the Mastodon account.
    await waitFor(
      'the notifications marker at the Mastodon instance',
      async () =>
        fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/markers').length >
        markersBefore,
    );
  });
});

describe('isolation and revocation', () => {
  it("another member's token sees none of alice's timelines, lists, statuses or markers", async () => {
    const bob = generator('mastodon', proxy.url, bobGraphqlToken);
    expect((await bob.getHomeTimeline()).data).toEqual([]);
    const aliceHome = await masto.v1.timelines.home.list({ limit: 1 });
    await expect(bob.getStatus(aliceHome[0]!.id)).rejects.toMatchObject({ response: { status: 404 } });
    const aliceList = (await masto.v1.lists.list())[0]!;
    await expect(bob.getListTimeline(aliceList.id)).rejects.toMatchObject({ response: { status: 404 } });
    // A first page and a bounded one are checked apart (the first by its own statement): the same answer.
    for (const query of ['', `?max_id=${aliceHome[0]!.id}`]) {
      const res = await fetch(`${proxy.url}/api/v1/timelines/list/${aliceList.id}${query}`, {
        headers: { authorization: `Bearer ${bobGraphqlToken}` },
      });
      expect({ query, status: res.status, body: await res.json() }).toEqual({
        query,
        status: 404,
        body: { error: 'Record not found' },
      });
    }
    expect((await bob.getLists()).data.map((l) => l.id)).not.toContain(aliceList.id);
    expect(Object.keys((await bob.getMarkers(['home'])).data)).toEqual([]);
    expect((await bob.getNotifications()).data).toEqual([]);
    await expect(bob.favouriteStatus(aliceHome[0]!.id)).rejects.toMatchObject({ response: { status: 404 } });
    // Nor the poll of one of her statuses, nor a vote in it.
    const poll =
      aliceHome.find((s) => s.poll) ??
      (await masto.v1.timelines.home.list({ limit: 40 })).find((s) => s.poll)!;
    await expect(bob.getPoll(poll.poll!.id)).rejects.toMatchObject({ response: { status: 404 } });
    await expect(bob.votePoll(poll.poll!.id, [0])).rejects.toMatchObject({ response: { status: 404 } });
  });

  it('a revoked token is refused', async () => {
    await createOAuthAPIClient({ url: proxy.url }).revoke({ ...mastoApp, token: mastoToken });
    await expect(masto.v1.accounts.verifyCredentials()).rejects.toMatchObject({ statusCode: 401 });
    expect((await mega.verifyAccountCredentials()).data.username).toBe('alice');
  });

  it('every answer held to the Mastodon contract', () => {
    expect(proxy.violations).toEqual([]);
    expect(proxy.validated.size).toBeGreaterThan(10);
  });
});
