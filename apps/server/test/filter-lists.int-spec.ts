// Filter lists end to end: a member with a Bluesky account (reference network) and a Mastodon account
// (the fake instance) subscribes their pipeline to lists served over loopback HTTP and to a Bluesky
// moderation list on the reference network. The lists hide the right posts on both networks, each
// with the list and the entry as its reason; updates are re-applied to recent entries; a broken
// update keeps the last good version; refused URLs say why.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { JobQueue } from '@tributary/queue';
import { FakeMastodonServer, blueskyNetwork } from '@tributary/testing';
import type { BlueskyNetworkClient, FakeAccount, TestBlueskyAccount } from '@tributary/testing';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { codeOf, graphqlClient } from '../../api/src/testing/graphql-client.js';
import { BlueskyListWatch } from '../../worker/src/filter-lists/bluesky-list-watch.js';
import { linkBluesky, linkMastodon } from './link-accounts.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(240_000);

interface Item {
  hidden: boolean;
  hiddenReason: string | null;
  post: { network: string; text: string; author: { handle: string } };
  decisions: { stage: string; verdict: string; reason: string | null }[];
}
interface Subscription {
  action: string;
  pinnedVersion: number | null;
  exceptedAuthors: string[];
  exceptedEntries: string[];
  list: { id: string; title: string | null; version: number; entries: number; error: string | null };
}
interface PipelineState {
  id: string;
  version: number;
  rebuild: { state: string };
  filterLists: Subscription[];
}

/** What the loopback list server answers, by path; ETags are the bodies' own. */
const served = new Map<string, { body: string; contentType?: string; status?: number }>();
const requests: { path: string; conditional: boolean; answered: number }[] = [];
let listServer: Server;
let listBase: string;

let net: BlueskyNetworkClient;
let fake: FakeMastodonServer;
let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let token: string;
let home: string;
let slop: TestBlueskyAccount;
let fine: TestBlueskyAccount;
let curator: TestBlueskyAccount;
let farm: FakeAccount;
let friend: FakeAccount;
const RUN = Date.now().toString(36);
const TEXT = {
  slop: `slop bot post ${RUN}`,
  fineAi: `Made with Midjourney, this one ${RUN}`,
  fine: `fine post about rivers ${RUN}`,
  farm: `farm content ${RUN}`,
  friend: `friend says hi ${RUN}`,
};

function startListServer(): Promise<void> {
  listServer = createServer((req, res) => {
    const path = req.url ?? '/';
    const entry = served.get(path);
    const conditional = req.headers['if-none-match'] !== undefined;
    const answer = (status: number, body = '', headers: Record<string, string> = {}) => {
      requests.push({ path, conditional, answered: status });
      res.writeHead(status, headers).end(body);
    };
    if (!entry) return answer(404, 'not found');
    if (entry.status !== undefined) return answer(entry.status, entry.body);
    const etag = `"${Buffer.from(entry.body).toString('base64url').slice(-20)}-${entry.body.length}"`;
    if (req.headers['if-none-match'] === etag) return answer(304);
    answer(200, entry.body, { 'content-type': entry.contentType ?? 'text/plain; charset=utf-8', etag });
  });
  return new Promise((resolve) =>
    listServer.listen(0, '127.0.0.1', () => {
      listBase = `http://127.0.0.1:${(listServer.address() as AddressInfo).port}`;
      resolve();
    }),
  );
}

async function timeline(pipeline: string): Promise<Item[]> {
  const res = await gql<{ timeline: { edges: { node: Item }[] } }>(
    `query($p: ID) { timeline(pipeline: $p, first: 100, includeHidden: true) { edges { node { hidden hiddenReason
      post { network text author { handle } } decisions { stage verdict reason } } } } }`,
    { p: pipeline },
    token,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.timeline.edges.map((e) => e.node).filter((n) => n.post.text.endsWith(RUN));
}

/** Hidden reason of each of our posts, by its text's key in TEXT. */
async function reasons(pipeline: string): Promise<Record<string, string | null>> {
  const items = await timeline(pipeline);
  return Object.fromEntries(
    Object.entries(TEXT).map(([key, text]) => {
      const item = items.find((i) => i.post.text === text);
      return [key, item === undefined ? 'missing' : item.hidden ? item.hiddenReason : null];
    }),
  );
}

async function pipelineState(id: string): Promise<PipelineState> {
  const res = await gql<{ pipeline: PipelineState }>(
    `query($id: ID!) { pipeline(id: $id) { id version rebuild { state }
      filterLists { action pinnedVersion exceptedAuthors exceptedEntries list { id title version entries error } } } }`,
    { id },
    token,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.pipeline;
}

/** Waits until the pipeline's version `atLeast` is rebuilt. */
async function rebuilt(id: string, atLeast: number): Promise<PipelineState> {
  return waitFor(`pipeline ${id} v${atLeast} rebuilt`, async () => {
    const state = await pipelineState(id);
    return state.version >= atLeast && state.rebuild.state === 'DONE' ? state : null;
  });
}

async function subscribe(pipeline: string, source: string, format?: string) {
  return gql<{ subscribeFilterList: { id: string; version: number } }>(
    'mutation($p: ID!, $s: String!, $f: FilterListFormat) { subscribeFilterList(pipeline: $p, source: $s, format: $f) { id version } }',
    { p: pipeline, s: source, ...(format ? { f: format } : {}) },
    token,
  );
}

/** Has the worker refresh a list (the job the minute check queues when it is due). */
async function refresh(listId: string): Promise<void> {
  await instance.running.apps.at(-1)!.get(JobQueue).enqueue('refresh-filter-list', { listId });
}

function listReason(title: string, id: string, entry: string): string {
  return `filter list "${title}" (${id}): ${entry}`;
}

beforeAll(async () => {
  await startListServer();
  net = await blueskyNetwork();
  fake = await FakeMastodonServer.start();
  const viewer = await net.createAccount('viewer');
  [slop, fine, curator] = await Promise.all([
    net.createAccount('slop'),
    net.createAccount('fine'),
    net.createAccount('curator'),
  ]);
  await viewer.agent.follow(slop.did);
  await viewer.agent.follow(fine.did);
  const reader = fake.createAccount('reader');
  farm = fake.createAccount('farm');
  friend = fake.createAccount('friend');
  fake.follow(reader, farm);
  fake.follow(reader, friend);

  await slop.agent.post({ text: TEXT.slop });
  await fine.agent.post({ text: TEXT.fineAi });
  await fine.agent.post({ text: TEXT.fine });
  await net.processAll();
  fake.post(farm, { text: TEXT.farm });
  fake.post(friend, { text: TEXT.friend });

  instance = await startTestInstance({
    ROLE: 'all',
    POLL_INTERVAL_SECONDS: '3600',
    BACKFILL_DEPTH: '20',
    MASTODON_ALLOWED_HOSTS: fake.host,
    MASTODON_ALLOW_HTTP: 'true',
    FILTER_LIST_ALLOWED_HOSTS: new URL(listBase).host,
    FILTER_LIST_ALLOW_HTTP: 'true',
    FILTER_LIST_MAX_KB: '64',
    BLUESKY_APPVIEW_URL: net.info.appviewUrl,
  });
  gql = graphqlClient(instance.apiUrl);
  const { code } = await instance.running.apps.at(-1)!.get(AuthService).createInvite(null, 'MEMBER');
  const signUp = await gql<{ signUp: { token: string } }>(
    'mutation($i: String!) { signUp(invite: $i, username: "lists", password: "long enough password") { token } }',
    { i: code },
  );
  token = signUp.data!.signUp.token;
  const pipelines = await gql<{ pipelines: { id: string; isDefault: boolean }[] }>(
    '{ pipelines { id isDefault } }',
    {},
    token,
  );
  home = pipelines.data!.pipelines.find((p) => p.isDefault)!.id;
  await linkBluesky(gql, token, viewer, net.info.pdsUrl);
  await linkMastodon(gql, token, fake.origin, fake.issueToken(reader));
  await waitFor('every post in the timeline', async () => {
    const all = await reasons(home);
    return Object.values(all).every((r) => r === null) ? all : null;
  });
}, 240_000);

afterAll(async () => {
  await instance?.stop();
  await fake?.close();
  await new Promise((resolve) => listServer?.close(resolve));
});

describe('filter lists', () => {
  let slopList = '';

  it('hides the right posts on both networks, naming the list and the entry', async () => {
    served.set('/slop.txt', {
      body: `! Title: Slop\n! Expires: 2 days\n# accounts of both networks\n${slop.did}\n@farm@${fake.host}\nword made with midjourney\n`,
    });
    const res = await subscribe(home, `${listBase}/slop.txt`);
    expect(res.errors).toBeUndefined();
    const state = await rebuilt(home, res.data!.subscribeFilterList.version);
    expect(state.filterLists).toEqual([
      {
        action: 'HIDE',
        pinnedVersion: 1,
        exceptedAuthors: [],
        exceptedEntries: [],
        list: { id: expect.any(String), title: 'Slop', version: 1, entries: 3, error: null },
      },
    ]);
    slopList = state.filterLists[0]!.list.id;
    expect(await reasons(home)).toEqual({
      slop: listReason('Slop', slopList, `account ${slop.did}`),
      fineAi: listReason('Slop', slopList, 'word "made with midjourney"'),
      fine: null,
      farm: listReason('Slop', slopList, `account @farm@${fake.host}`),
      friend: null,
    });
    const slopItem = (await timeline(home)).find((i) => i.post.text === TEXT.slop)!;
    expect(slopItem.decisions).toContainEqual({
      stage: 'filter-list',
      verdict: 'HIDE',
      reason: listReason('Slop', slopList, `account ${slop.did}`),
    });
  });

  it('lets the member except an author or an entry, and take the exception back', async () => {
    /** Adds or removes an exception; waits for the new version's rebuild (none when nothing changed). */
    const except = async (op: 'add' | 'remove', arg: { author: string } | { entry: string }) => {
      const name = op === 'add' ? 'addFilterListException' : 'removeFilterListException';
      const res = await gql<Record<string, { version: number }>>(
        `mutation($p: ID!, $l: ID!, $a: String, $e: String) { ${name}(pipeline: $p, list: $l, author: $a, entry: $e) { version } }`,
        {
          p: home,
          l: slopList,
          a: 'author' in arg ? arg.author : null,
          e: 'entry' in arg ? arg.entry : null,
        },
        token,
      );
      expect(res.errors).toBeUndefined();
      return rebuilt(home, res.data![name]!.version);
    };
    const hidden = await reasons(home);
    // The author in another spelling than the list's, the entry as the reason names it.
    await except('add', { author: `@FARM@${fake.host}` });
    let state = await except('add', { entry: 'word "Made with Midjourney"' });
    expect(state.filterLists[0]).toMatchObject({
      exceptedAuthors: [`@FARM@${fake.host}`],
      exceptedEntries: ['word "Made with Midjourney"'],
    });
    expect(await reasons(home)).toEqual({ ...hidden, fineAi: null, farm: null });
    // Excepting it again changes nothing.
    expect((await except('add', { author: `farm@${fake.host}` })).version).toBe(state.version);
    const bad = await gql(
      'mutation($p: ID!, $l: ID!) { addFilterListException(pipeline: $p, list: $l, entry: "not a rule") { id } }',
      { p: home, l: slopList },
      token,
    );
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');

    await except('remove', { author: `farm@${fake.host}` });
    state = await except('remove', { entry: 'word "made with midjourney"' });
    expect(state.filterLists[0]).toMatchObject({ exceptedAuthors: [], exceptedEntries: [] });
    expect(await reasons(home)).toEqual(hidden);
    const gone = await gql(
      'mutation($p: ID!, $l: ID!) { removeFilterListException(pipeline: $p, list: $l, entry: "#none") { id } }',
      { p: home, l: slopList },
      token,
    );
    expect(codeOf(gone)).toBe('NOT_FOUND');
  });

  it('asks again conditionally and changes nothing when the list did not change', async () => {
    const before = await pipelineState(home);
    const seen = requests.length;
    await refresh(slopList);
    await waitFor('a conditional request', async () =>
      requests.slice(seen).find((r) => r.path === '/slop.txt' && r.conditional && r.answered === 304),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await pipelineState(home)).version).toBe(before.version);
  });

  it('re-applies an update that adds and removes rules to recent entries', async () => {
    const before = await pipelineState(home);
    served.set('/slop.txt', { body: `! Title: Slop\n${slop.did}\n@friend@${fake.host}\n` });
    await refresh(slopList);
    const state = await rebuilt(home, before.version + 1);
    expect(state.filterLists[0]).toMatchObject({ pinnedVersion: 2, list: { version: 2, entries: 2 } });
    expect(await reasons(home)).toEqual({
      slop: listReason('Slop', slopList, `account ${slop.did}`),
      fineAi: null,
      fine: null,
      farm: null,
      friend: listReason('Slop', slopList, `account @friend@${fake.host}`),
    });
  });

  it('keeps the last good version when an update is broken, and shows why', async () => {
    const before = await pipelineState(home);
    served.set('/slop.txt', { body: `! Title: Slop\n${slop.did}\nthis is not a rule\n` });
    await refresh(slopList);
    const state = await waitFor('the error on the list', async () => {
      const s = await pipelineState(home);
      return s.filterLists[0]?.list.error ? s : null;
    });
    expect(state.filterLists[0]!.list).toMatchObject({ version: 2, entries: 2 });
    expect(state.filterLists[0]!.list.error).toBe(
      'not a valid list: line 3: not a rule: "this is not a rule" (expected did:…, user@instance, @handle, #tag, or account / domain / tag / word / contains / label followed by a value)',
    );
    served.set('/slop.txt', { body: 'gone', status: 500 });
    await refresh(slopList);
    await waitFor(
      'the HTTP error on the list',
      async () => (await pipelineState(home)).filterLists[0]?.list.error === 'the list URL answered HTTP 500',
    );
    expect((await pipelineState(home)).version).toBe(before.version);
    expect((await reasons(home)).friend).toBe(listReason('Slop', slopList, `account @friend@${fake.host}`));
  });

  it('imports a Mastodon account-block CSV export', async () => {
    const created = await gql<{ createPipeline: { id: string; version: number } }>(
      'mutation { createPipeline(name: "CSV", spec: { stages: [] }) { id version } }',
      {},
      token,
    );
    const csv = created.data!.createPipeline.id;
    served.set('/blocked_accounts.csv', {
      body: `Account address,Hide notifications\nfarm@${fake.host},true\n`,
      contentType: 'text/csv',
    });
    const res = await subscribe(csv, `${listBase}/blocked_accounts.csv`, 'MASTODON_ACCOUNTS');
    expect(res.errors).toBeUndefined();
    const state = await rebuilt(csv, res.data!.subscribeFilterList.version);
    const list = state.filterLists[0]!.list;
    expect(list).toMatchObject({ title: null, version: 1, entries: 1 });
    expect(await reasons(csv)).toMatchObject({
      farm: listReason(`${listBase}/blocked_accounts.csv`, list.id, `account @farm@${fake.host}`),
      friend: null,
      slop: null,
    });
  });

  it('follows a Bluesky moderation list on the reference network as it changes on the PDS, from the stream', async () => {
    const created = await curator.agent.com.atproto.repo.createRecord({
      repo: curator.did,
      collection: 'app.bsky.graph.list',
      record: {
        $type: 'app.bsky.graph.list',
        purpose: 'app.bsky.graph.defs#modlist',
        name: 'Curated mutes',
        createdAt: new Date().toISOString(),
      },
    });
    const listUri = created.data.uri;
    const addItem = async (did: string) =>
      (
        await curator.agent.com.atproto.repo.createRecord({
          repo: curator.did,
          collection: 'app.bsky.graph.listitem',
          record: {
            $type: 'app.bsky.graph.listitem',
            subject: did,
            list: listUri,
            createdAt: new Date().toISOString(),
          },
        })
      ).data.uri;
    const fineItem = await addItem(fine.did);
    await net.processAll();

    const res = await subscribe(home, listUri);
    expect(res.errors).toBeUndefined();
    let state = await rebuilt(home, res.data!.subscribeFilterList.version);
    const modList = state.filterLists.find((s) => s.list.title === 'Curated mutes')!.list;
    expect(modList).toMatchObject({ version: 1, entries: 1 });
    const byMod = (did: string) => listReason('Curated mutes', modList.id, `account ${did}`);
    expect(await reasons(home)).toMatchObject({ fine: byMod(fine.did), fineAi: byMod(fine.did) });

    // On the PDS: Fine leaves the list, Slop joins it. Nobody refreshes the list: the worker hears
    // its owner's list items change on the stream it consumes (once it knows whom to listen to).
    const watch = instance.running.apps[0]!.get(BlueskyListWatch, { strict: false });
    await waitFor('the list owner watched', async () => watch.owns(curator.did));
    await curator.agent.com.atproto.repo.deleteRecord({
      repo: curator.did,
      collection: 'app.bsky.graph.listitem',
      rkey: fineItem.split('/').pop()!,
    });
    await addItem(slop.did);
    await net.processAll();
    state = await rebuilt(home, state.version + 1);
    expect(state.filterLists.find((s) => s.list.id === modList.id)!.list.version).toBe(2);
    const now = await reasons(home);
    expect(now.fine).toBeNull();
    expect(now.fineAi).toBeNull();
    // Both lists name Slop; the first subscribed decides.
    expect([byMod(slop.did), listReason('Slop', slopList, `account ${slop.did}`)]).toContain(now.slop);
  });

  it('refuses an oversized or private-address list with a clear error, and stores nothing', async () => {
    served.set('/huge.txt', { body: `${'#aiart\n'.repeat(10_000)}` });
    const huge = await subscribe(home, `${listBase}/huge.txt`);
    expect(codeOf(huge)).toBe('BAD_USER_INPUT');
    expect(huge.errors![0]!.message).toBe('the list is larger than 64 KiB');
    for (const [source, message] of [
      ['http://10.1.2.3/list.txt', 'list URL refused: URL must use https: http:'],
      ['https://10.1.2.3/list.txt', 'list URL refused: address is not public: 10.1.2.3'],
      ['https://localhost/list.txt', 'list URL refused: host is not public: localhost'],
      ['https://[::1]:8443/list.txt', 'list URL refused: address is not public: [::1]'],
    ] as const) {
      const refused = await subscribe(home, source);
      expect({ source, code: codeOf(refused), message: refused.errors?.[0]?.message }).toEqual({
        source,
        code: 'BAD_USER_INPUT',
        message,
      });
    }
    const state = await pipelineState(home);
    expect(state.filterLists.map((s) => s.list.title).sort()).toEqual(['Curated mutes', 'Slop']);
  });

  it("offers an admin's list to every member: a new member's default pipeline subscribes to it", async () => {
    const auth = instance.running.apps.at(-1)!.get(AuthService);
    const signUp = async (role: 'ADMIN' | 'MEMBER', username: string) => {
      const { code } = await auth.createInvite(null, role);
      const res = await gql<{ signUp: { token: string } }>(
        'mutation($i: String!, $u: String!) { signUp(invite: $i, username: $u, password: "long enough password") { token } }',
        { i: code, u: username },
      );
      return res.data!.signUp.token;
    };
    const admin = await signUp('ADMIN', 'admin');
    served.set('/house-rules.txt', { body: `! Title: House rules\n#aiart\n@farm@${fake.host}\n` });
    const offer = await gql<{
      offerFilterList: { id: string; offered: boolean; offeredAction: string; version: number };
    }>(
      'mutation($s: String!) { offerFilterList(source: $s, action: WARN) { id offered offeredAction version } }',
      { s: `${listBase}/house-rules.txt` },
      admin,
    );
    expect(offer.errors).toBeUndefined();
    expect(offer.data!.offerFilterList).toMatchObject({ offered: true, offeredAction: 'WARN', version: 1 });
    const newcomer = await signUp('MEMBER', 'newcomer');
    const listed = await gql<{ offeredFilterLists: { id: string }[] }>(
      '{ offeredFilterLists { id } }',
      {},
      newcomer,
    );
    expect(listed.data!.offeredFilterLists.map((l) => l.id)).toEqual([offer.data!.offerFilterList.id]);
    const pipelines = await gql<{
      pipelines: {
        isDefault: boolean;
        filterLists: { action: string; pinnedVersion: number; list: { title: string } }[];
      }[];
    }>('{ pipelines { isDefault filterLists { action pinnedVersion list { title } } } }', {}, newcomer);
    expect(pipelines.data!.pipelines.find((p) => p.isDefault)!.filterLists).toEqual([
      { action: 'WARN', pinnedVersion: 1, list: { title: 'House rules' } },
    ]);
    const withdrawn = await gql<{ withdrawFilterList: boolean }>(
      'mutation($l: ID!) { withdrawFilterList(list: $l) }',
      { l: offer.data!.offerFilterList.id },
      admin,
    );
    expect(withdrawn.data!.withdrawFilterList).toBe(true);
    expect(
      (await gql<{ offeredFilterLists: unknown[] }>('{ offeredFilterLists { id } }', {}, newcomer)).data!
        .offeredFilterLists,
    ).toEqual([]);
  });
});

it('the fake Mastodon instance saw no request and sent no answer outside the API description', () => {
  expect(fake.violations).toEqual([]);
});
