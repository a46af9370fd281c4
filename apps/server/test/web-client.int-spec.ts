// The web app (apps/web, built by Vite) in a real browser: Debian's chromium driven by playwright-core
// against a real instance whose accounts are on the reference Bluesky network and the fake Mastodon
// instance. A new member signs up with an invite, links both accounts through the screens, reads
// (media with alt text, quotes, link cards, reposts, replies, content warnings), opens a thread,
// likes (kept after a reload), sees new posts announced live, cross-posts an image with its
// description, is notified of a like, builds a pipeline in the editor (a muted word, reposts hidden,
// a plugin's form) and sees the preview change before saving, then finds the hidden items in the
// audit with their reasons; opens authors' profiles and follows and mutes them; links a Bluesky
// account by "sign in with Bluesky" and comes back into the app; an administrator manages members
// (their accounts' status, suspending, deleting) and invites; a phone-sized viewport, light and dark.
// Every screen is checked with axe-core (no serious or critical violation) and written as a
// screenshot to tmp/screenshots/web/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { JobQueue } from '@tributary/queue';
import {
  FakeMastodonServer,
  blueskyNetwork,
  freePort,
  revokeOAuthSessions,
  seedTimeline,
  signInAndConsent,
} from '@tributary/testing';
import type {
  BlueskyNetworkClient,
  FakeAccount,
  SeededTimeline,
  TestBlueskyAccount,
} from '@tributary/testing';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(180_000);

const SCREENSHOTS = 'tmp/screenshots/web';
const USERNAME = 'webreader';
const PASSWORD = 'a long enough password';
/** A sandboxed plugin whose form the editor generates from its JSON Schema (one required string). */
const WARN_ON_WORD = `definePlugin({
  name: 'alice/warn-on-word', version: '1.0.0',
  configSchema: { type: 'object', properties: { word: { type: 'string', description: 'The word to warn about' } }, required: ['word'], additionalProperties: false },
  fields: ['text'],
  filter: (posts, config) => posts.map((p) => p.text.includes(config.word) ? { action: 'warn', reason: 'mentions ' + config.word } : null),
});`;
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** A 4×3 PNG: real image bytes, so both networks take it as an image. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEElEQVR4nGP4z8AARww4OQD1MQv1NXv7ggAAAABJRU5ErkJggg==',
  'base64',
);

let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let net: BlueskyNetworkClient;
let seeded: SeededTimeline;
let fake: FakeMastodonServer;
let mastoMe: FakeAccount;
let mastoMeToken: string;
let stormUri: string;
/** A Bluesky account linked through "sign in with Bluesky" (atproto OAuth at its PDS). */
let oauthReader: TestBlueskyAccount;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

/** Writes the screen as an artifact and holds it to axe-core: no serious or critical violation. */
async function look(name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
  const violations = (await page.evaluate(`${AXE_SOURCE}
    axe.run(document, { resultTypes: ['violations'] }).then((r) =>
      r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')))`)) as string[];
  expect({ screen: name, violations }).toEqual({ screen: name, violations: [] });
}

const token = () => page.evaluate(() => localStorage.getItem('tributary.token'));

/** The member's default timeline as the API serves it (texts), to wait for ingest. */
async function timelineTexts(includeHidden = false): Promise<string[]> {
  const res = await gql<{ timeline: { edges: { node: { post: { text: string } } }[] } }>(
    'query($h: Boolean!) { timeline(first: 50, includeHidden: $h) { edges { node { post { text } } } } }',
    { h: includeHidden },
    (await token())!,
  );
  return res.data?.timeline.edges.map((e) => e.node.post.text) ?? [];
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The post whose own text (not a quote's) starts with `text`. */
const post = (text: string) =>
  page
    .locator('article.post')
    .filter({ has: page.locator('.own-text', { hasText: new RegExp(`^${escaped(text)}`) }) });
/** A preview row by its post's exact text. */
const previewItem = (text: string) =>
  page
    .locator('.preview-item')
    .filter({ has: page.locator('.preview-post-text', { hasText: new RegExp(`^${escaped(text)}$`) }) });

/** The member's Bluesky server's authorization pages (where "sign in with Bluesky" goes). */
const AUTHORIZE_PAGES = () => `${new URL(net.info.pdsUrl).origin}/oauth/authorize?**`;

/**
 * The member's sign-in and consent on their server's own pages, played over HTTP as in
 * bluesky-oauth.int-spec; the browser is then sent back where the server sends it. Returns the
 * authorization pages the browser asked for.
 */
async function consentingOnTheServer(account: TestBlueskyAccount): Promise<string[]> {
  const visited: string[] = [];
  await page.route(AUTHORIZE_PAGES(), async (route) => {
    visited.push(route.request().url());
    const callback = await signInAndConsent(route.request().url(), account);
    await route.fulfill({ status: 303, headers: { location: callback } });
  });
  return visited;
}

beforeAll(async () => {
  const executablePath = execFileSync('sh', ['tools/scripts/ensure-chromium.sh'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 20 * 60_000,
  })
    .trim()
    .split('\n')
    .pop()!;
  // The API serves the built app (dist/web); `npm test` builds it first, a direct Jest run here.
  execFileSync('node', ['tools/scripts/build-web.mjs'], { stdio: 'inherit', timeout: 5 * 60_000 });
  mkdirSync(SCREENSHOTS, { recursive: true });

  net = await blueskyNetwork();
  seeded = await seedTimeline(net);
  // A post the member's pipeline will mute.
  stormUri = (await seeded.alice.agent.post({ text: 'A storm is coming over the hills' })).uri;
  // A repost of someone the member does not follow: hiding reposts hides it (alice's post that bob
  // reposted stays, as it also came by itself).
  const stranger = await net.createAccount('stranger');
  const spotted = await stranger.agent.post({ text: 'Spotted by a stranger' });
  await seeded.bob.agent.repost(spotted.uri, spotted.cid);
  await net.processAll();

  fake = await FakeMastodonServer.start();
  mastoMe = fake.createAccount('reader');
  const mastoAuthor = fake.createAccount('cinephile');
  fake.follow(mastoMe, mastoAuthor);
  fake.post(mastoAuthor, { text: 'The butler did it, all along.', spoilerText: 'film ending' });
  mastoMeToken = fake.issueToken(mastoMe);

  oauthReader = await net.createAccount('oauthreader');

  instance = await startTestInstance({
    ROLE: 'all',
    // The loopback OAuth client's redirect URI names the API's port: known before it starts.
    PORT: String(await freePort()),
    POLL_INTERVAL_SECONDS: '3600',
    BACKFILL_DEPTH: '50',
    MASTODON_ALLOWED_HOSTS: fake.host,
    MASTODON_ALLOW_HTTP: 'true',
    // "Sign in with Bluesky" resolves the handle and its PDS on the reference network.
    BLUESKY_ALLOWED_HOSTS: [new URL(net.info.pdsUrl).host, new URL(net.info.plcUrl).host].join(','),
    BLUESKY_PLC_URL: net.info.plcUrl,
    BLUESKY_HANDLE_RESOLVER: net.info.pdsUrl,
  });
  gql = graphqlClient(instance.apiUrl);

  browser = await chromium.launch({ executablePath, headless: true });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    // Avatars of the fake instance do not exist; the app falls back to initials.
    if (message.type() === 'error' && !message.text().includes('404')) pageErrors.push(message.text());
  });
}, 25 * 60_000);

afterAll(async () => {
  await browser?.close();
  await instance?.stop();
  await fake?.close();
});

describe('the web app in chromium', () => {
  it('is served at / with a strict CSP; only its own files are served', async () => {
    const response = await page.goto(`${instance.apiUrl}/`);
    expect(response?.status()).toBe(200);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(await page.title()).toBe('Tributary');
    const script = await page.locator('script[type=module]').getAttribute('src');
    expect(script).toMatch(/^\/web\/assets\/index-[\w-]+\.js$/);
    expect((await fetch(`${instance.apiUrl}${script}`)).headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${instance.apiUrl}/web/assets/..%2F..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${instance.apiUrl}/web/assets/nope.js`)).status).toBe(404);
    await page.locator('form#login').waitFor();
    await look('login');
  });

  it('signs up with an invite link, and the sign-up form is gone afterwards', async () => {
    const { code } = await instance.running.apps.at(-1)!.get(AuthService).createInvite(null, 'ADMIN');
    await page.goto(`${instance.apiUrl}/#/signup?invite=${encodeURIComponent(code)}`);
    expect(await page.inputValue('input[name=invite]')).toBe(code);
    await page.fill('input[name=username]', USERNAME);
    await page.fill('input[name=password]', PASSWORD);
    await page.fill('input[name=confirm]', 'a different password');
    await page.click('form#signup button[type=submit]');
    await page.locator('#auth-error', { hasText: 'The two passwords differ.' }).waitFor();
    await look('signup');
    await page.fill('input[name=confirm]', PASSWORD);
    await page.click('form#signup button[type=submit]');
    await page.locator('h1', { hasText: 'Accounts' }).waitFor();
    expect(await page.locator('form#signup').count()).toBe(0);
    expect(await page.locator('form#login').count()).toBe(0);
    expect(await token()).toMatch(/\S{20,}/);
  });

  it('links a Bluesky account of the reference network and a Mastodon account, with status and history', async () => {
    await page.locator('#link-bluesky summary', { hasText: 'app password' }).click();
    const form = page.locator('form#link-bluesky-app-password');
    await form.locator('input[name=identifier]').fill(seeded.viewer.handle);
    await form.locator('input[name=appPassword]').fill(seeded.viewer.appPassword);
    await form.locator('input[name=service]').fill(net.info.pdsUrl);
    await form.locator('button[type=submit]').click();
    const bluesky = page.locator('li.account', { hasText: seeded.viewer.handle });
    await bluesky.waitFor();
    expect(await bluesky.getAttribute('data-status')).toBe('ACTIVE');
    expect(await bluesky.locator('.badge').first().textContent()).toBe('Active');

    const mastodon = page.locator('#link-mastodon');
    await mastodon.locator('summary', { hasText: 'access token' }).click();
    await mastodon.locator('input[name=instance]').nth(1).fill(fake.origin);
    await mastodon.locator('input[name=accessToken]').fill(mastoMeToken);
    await mastodon.locator('button', { hasText: 'Link with token' }).click();
    await page.locator('li.account', { hasText: 'Mastodon' }).waitFor();
    // The history is fetched in the background: the screen follows it until done.
    await page
      .locator('li.account', { hasText: seeded.viewer.handle })
      .locator('.sources', { hasText: /history: done/ })
      .waitFor({ timeout: 60_000 });
    await look('accounts');
  });

  it('reads the merged timeline: media with alt text, quote, link card, repost, reply, content warning', async () => {
    await waitFor(
      'the seeded posts in the timeline',
      async () => {
        const texts = await timelineTexts();
        return texts.includes('A picture') && texts.includes('The butler did it, all along.');
      },
      90_000,
      500,
    );
    await page.goto(`${instance.apiUrl}/#/timeline`);
    const image = post('A picture').locator('img[alt="A red rectangle"]');
    await image.scrollIntoViewIfNeeded(); // loaded lazily, as it comes into view
    // Loaded from the reference network's image service, not just present.
    await waitFor('the image to load', () =>
      image.evaluate((img) => {
        const loaded = img as unknown as { complete: boolean; naturalWidth: number };
        return loaded.complete && loaded.naturalWidth > 0;
      }),
    );
    expect(await image.isVisible()).toBe(true);

    const quote = post('Quoting alice').locator('blockquote.quote');
    expect(await quote.textContent()).toContain('read https://example.com/a?b=1');
    const card = post('Worth reading').locator('a.link-card');
    expect(await card.getAttribute('href')).toBe('https://example.com/article');
    expect(await card.textContent()).toContain('An article');
    expect(await page.locator('.reposted-by', { hasText: `@${seeded.bob.handle}` }).count()).toBe(2);
    expect(await post('A reply to alice').locator('.reply-context').textContent()).toContain('Replying to');
    const link = post('Hi @').locator('.post-text a:not(.mention)');
    expect(await link.getAttribute('href')).toBe('https://example.com/a?b=1');
    // A mention opens the person's profile in the app.
    expect(await post('Hi @').locator('.post-text a.mention').getAttribute('href')).toMatch(/^#\/profile\//);

    const why = post('A picture').locator('details.why');
    await why.locator('summary').click();
    expect(await why.textContent()).toContain('Seen on Bluesky');

    // The content warning hides the text until it is opened.
    const spoiler = page.locator('article.post', { hasText: 'film ending' });
    expect(await spoiler.locator('.post-text').isVisible()).toBe(false);
    await look('timeline');
    await spoiler.locator('details.content-warning summary').click();
    expect(await spoiler.locator('.post-text').textContent()).toBe('The butler did it, all along.');
  });

  it('opens a thread: the reply with the post it answers above it', async () => {
    await post('A reply to alice').locator('a.action', { hasText: 'Thread' }).click();
    await page.locator('h1', { hasText: 'Thread' }).waitFor();
    const focus = page.locator('.thread-list li.focus');
    await focus.waitFor({ timeout: 30_000 });
    expect(await focus.locator('.post-text').textContent()).toBe('A reply to alice');
    expect(await page.locator('.thread-list li.ancestor .post-text').first().innerText()).toBe(
      seeded.richTextText,
    );
    await look('thread');
    await page.goBack();
  });

  it('likes a post: done on the reference network, and still liked after a reload', async () => {
    const like = post('A picture').locator('button.like');
    await like.waitFor();
    expect(await like.getAttribute('aria-pressed')).toBe('false');
    await like.click();
    expect(await like.getAttribute('aria-pressed')).toBe('true');
    await post('A picture')
      .locator('.action-status[data-state=done]')
      .waitFor({ state: 'attached', timeout: 60_000 });
    await net.processAll();
    const likes = await seeded.alice.agent.app.bsky.feed.getLikes({ uri: seeded.posts.image.uri });
    expect(likes.data.likes.map((l) => l.actor.did)).toEqual([seeded.viewer.did]);

    await page.reload();
    const after = post('A picture').locator('button.like');
    await after.waitFor();
    await waitFor(
      'the liked state after reload',
      async () => (await after.getAttribute('aria-pressed')) === 'true',
    );
    expect(await after.textContent()).toContain('Liked');
  });

  it('announces new posts as they arrive without moving the reading position, and shows them on request', async () => {
    await page.goto(`${instance.apiUrl}/#/timeline`);
    await post('Worth reading').scrollIntoViewIfNeeded();
    const scrolled = await page.evaluate<number>('scrollY');
    expect(scrolled).toBeGreaterThan(0);
    await seeded.alice.agent.post({ text: 'Fresh news from the valley' });
    await net.processAll();
    const banner = page.locator('button.new-posts', { hasText: 'Show 1 new post' });
    await banner.waitFor({ timeout: 60_000 });
    expect(await page.evaluate<number>('scrollY')).toBe(scrolled);
    expect(await post('Fresh news from the valley').count()).toBe(0);
    await look('timeline-new-posts');
    await banner.click();
    expect(await page.locator('article.post').first().locator('.post-text').textContent()).toBe(
      'Fresh news from the valley',
    );
    expect(await page.evaluate<number>('scrollY')).toBe(0);
  });

  it('cross-posts an image with its description to Bluesky and Mastodon', async () => {
    await page.locator('button', { hasText: 'New post' }).click();
    const form = page.locator('form.compose');
    await form.locator('textarea[name=text]').fill('Evening light on the river');
    await form.locator('input[name=network]:checked').nth(1).waitFor(); // both linked networks, by default
    await form
      .locator('input[name=media]')
      .setInputFiles({ name: 'river.png', mimeType: 'image/png', buffer: PNG });
    await form.locator('textarea[name=alt-0]').fill('A small orange rectangle');
    expect(await form.locator('button[type=submit]').textContent()).toBe('Cross-post');
    await look('compose');
    await form.locator('button[type=submit]').click();
    await form.locator('.outcomes li[data-network=BLUESKY][data-status=DONE]').waitFor({ timeout: 60_000 });
    await form.locator('.outcomes li[data-network=MASTODON][data-status=DONE]').waitFor({ timeout: 60_000 });

    const { data } = await seeded.viewer.agent.com.atproto.repo.listRecords({
      repo: seeded.viewer.did,
      collection: 'app.bsky.feed.post',
    });
    const record = data.records.find(
      (r) => (r.value as { text: string }).text === 'Evening light on the river',
    );
    expect((record?.value as { embed: { images: { alt: string }[] } }).embed.images[0]!.alt).toBe(
      'A small orange rectangle',
    );
    const statuses = (await (
      await fetch(`${fake.origin}/api/v1/timelines/home?limit=40`, {
        headers: { authorization: `Bearer ${mastoMeToken}` },
      })
    ).json()) as { content: string; media_attachments: { description: string }[] }[];
    const status = statuses.find((s) => s.content.includes('Evening light on the river'));
    expect(status?.media_attachments.map((m) => m.description)).toEqual(['A small orange rectangle']);
    await form.locator('button', { hasText: 'Close' }).click();
  });

  it("shows notifications as they come in: a like of the member's post, then marks them read", async () => {
    await page.goto(`${instance.apiUrl}/#/notifications`);
    await page.locator('h1', { hasText: 'Notifications' }).waitFor();
    const { data } = await seeded.viewer.agent.com.atproto.repo.listRecords({
      repo: seeded.viewer.did,
      collection: 'app.bsky.feed.post',
    });
    const mine = data.records.find(
      (r) => (r.value as { text: string }).text === 'Evening light on the river',
    )!;
    await seeded.bob.agent.like(mine.uri, mine.cid);
    await net.processAll();
    // Arrives live: the screen is not reloaded.
    const like = page.locator('li.notification[data-kind=LIKE]', { hasText: 'Evening light on the river' });
    await like.waitFor({ timeout: 90_000 });
    expect(await like.textContent()).toContain(`${seeded.bob.handle} liked your post on Bluesky`);
    await page.locator('nav .unread-count').waitFor();
    await look('notifications');
    await page.locator('button', { hasText: 'Mark all read' }).click();
    await page.locator('nav .unread-count').waitFor({ state: 'detached' });
    expect(await like.getAttribute('class')).not.toContain('is-unread');
  });

  it('lets the administrator invite, see members with their accounts, suspend, reinstate and delete', async () => {
    await page.goto(`${instance.apiUrl}/#/members`);
    await page.locator('h1', { hasText: 'Members' }).waitFor();
    await page.locator('button', { hasText: 'Create an invite' }).click();
    const code = (await page.locator('code.invite-code').textContent())!;
    expect(code).toMatch(/\S{8,}/);
    expect(await page.locator('a', { hasText: `/#/signup?invite=` }).getAttribute('href')).toContain(
      encodeURIComponent(code),
    );
    // Someone signs up with it.
    const signedUp = await gql<{ signUp: { token: string } }>(
      'mutation($i: String!) { signUp(invite: $i, username: "newcomer", password: "newcomer password") { token } }',
      { i: code },
    );
    expect(signedUp.errors).toBeUndefined();
    const newcomerToken = signedUp.data!.signUp.token;
    const me = () => gql<{ me: { username: string } }>('{ me { username } }', {}, newcomerToken);
    expect((await me()).data?.me.username).toBe('newcomer');

    // The screen reads every member with their accounts' health in one request, however many
    // members there are (one request per member before).
    const memberReads: string[] = [];
    const countReads = (req: { url(): string; postData(): string | null }) => {
      if (req.url().endsWith('/graphql') && /\b(members|memberSyncHealth)\b/.test(req.postData() ?? ''))
        memberReads.push(req.postData()!);
    };
    page.on('request', countReads);
    await page.reload();
    const self = page.locator('li.member[data-username=webreader]');
    await self.waitFor();
    expect(await self.textContent()).toContain('(you)');
    expect(await self.locator('button').count()).toBe(0); // no suspending or deleting oneself
    // Each linked account with its status.
    const bluesky = self.locator('.member-accounts li[data-status=ACTIVE]', {
      hasText: seeded.viewer.handle,
    });
    await bluesky.waitFor();
    expect(await bluesky.textContent()).toContain('Bluesky');
    expect(await self.locator('.member-accounts > li', { hasText: 'Mastodon' }).textContent()).toContain(
      'Active',
    );

    const newcomer = page.locator('li.member[data-username=newcomer]');
    expect(await newcomer.textContent()).toContain('No linked account.');
    page.off('request', countReads);
    expect(memberReads).toHaveLength(1);
    await newcomer.locator('button', { hasText: 'Suspend newcomer' }).click();
    await page.locator('li.member[data-username=newcomer][data-status=SUSPENDED]').waitFor();
    expect(await newcomer.locator('.member-status').textContent()).toBe('Suspended');
    expect(await page.locator('[role=status]', { hasText: 'newcomer is suspended' }).count()).toBe(1);
    // Their session ended, and logging in is refused.
    expect((await me()).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const login = () =>
      gql<{ login: { token: string } }>(
        'mutation { login(username: "newcomer", password: "newcomer password") { token } }',
        {},
      );
    expect((await login()).errors).toBeDefined();
    await look('members');

    await newcomer.locator('button', { hasText: 'Reinstate newcomer' }).click();
    await page.locator('li.member[data-username=newcomer][data-status=ACTIVE]').waitFor();
    expect((await login()).data?.login.token).toMatch(/\S{20,}/);

    // Deleting asks first; cancelling keeps them.
    await newcomer.locator('button', { hasText: 'Delete newcomer…' }).click();
    const confirm = newcomer.locator('[role=group][aria-label="Confirm deleting newcomer"]');
    expect(await confirm.textContent()).toContain('cannot be undone');
    // Focus moved into the question (keyboard and screen reader users are there too).
    await waitFor(
      'the focus on Cancel',
      async () =>
        (await page.evaluate<string | null>('document.activeElement?.textContent ?? null')) === 'Cancel',
      5_000,
      50,
    );
    await look('members-confirm-delete');
    await confirm.locator('button', { hasText: 'Cancel' }).click();
    expect(await confirm.count()).toBe(0);
    await newcomer.locator('button', { hasText: 'Delete newcomer…' }).click();
    await confirm.locator('button', { hasText: 'Delete newcomer for good' }).click();
    await newcomer.waitFor({ state: 'detached' });
    await page.locator('[role=status]', { hasText: 'newcomer and all their data were deleted' }).waitFor();
    const members = await gql<{ members: { username: string }[] }>(
      '{ members { username } }',
      {},
      (await token())!,
    );
    expect(members.data!.members.map((m) => m.username)).toEqual([USERNAME]);
  });

  it('lets any member upload a plugin on the plugins screen', async () => {
    await page.locator('nav a', { hasText: 'Plugins' }).click();
    await page.locator('h1', { hasText: 'Plugins' }).waitFor();
    await page.getByLabel('Upload a plugin').fill(WARN_ON_WORD);
    await page.locator('button', { hasText: 'Upload plugin' }).click();
    await page.locator('ul.plugins li', { hasText: 'alice/warn-on-word' }).waitFor();
    await look('plugins');
  });

  it('builds a pipeline that mutes a word and hides reposts, previewing the change before saving', async () => {
    await page.goto(`${instance.apiUrl}/#/pipelines`);
    await page.locator('a.button', { hasText: 'Edit Home' }).click();
    await page.locator('h1', { hasText: 'Edit Home' }).waitFor();
    await page.locator('.preview-summary').waitFor({ timeout: 30_000 });
    expect(await previewItem('A storm is coming over the hills').textContent()).toContain('Kept');

    const addStage = async (label: string) => {
      await page.getByLabel('Add a stage').selectOption({ label });
      await page.locator('button', { hasText: 'Add stage' }).click();
    };
    await addStage('Mute words');
    const mute = page.locator('li.stage[data-stage="mute-words"]');
    await mute.locator('button', { hasText: 'Add a word' }).click();
    await mute.getByLabel('Word or phrase 1').fill('storm');
    await addStage('Hide reposts');
    expect(await page.locator('li.stage[data-stage="hide-reposts"]').count()).toBe(1);
    // The uploaded plugin's options, as a form made from its JSON Schema.
    await addStage('alice/warn-on-word 1.0.0');
    const plugin = page.locator('li.stage[data-stage="plugin:alice/warn-on-word@1.0.0"]');
    await plugin.getByLabel('Word (required)').fill('picture');

    // Not saved yet: the preview already shows what changes.
    const storm = previewItem('A storm is coming over the hills');
    await storm.locator('.badge', { hasText: 'Newly hidden' }).waitFor({ timeout: 30_000 });
    expect(await storm.locator('.verdict-hide').textContent()).toBe('Hidden: muted word "storm" in text');
    const spotted = previewItem('Spotted by a stranger');
    await spotted.locator('.verdict-hide', { hasText: 'Hidden: repost' }).waitFor();
    expect(await page.locator('.newly-hidden').textContent()).toBe('2');
    await page;
    previewItem('A picture').locator('.verdict-warn', { hasText: 'mentions picture' }).waitFor();
    expect(await page.locator('button', { hasText: 'Save changes' }).isEnabled()).toBe(true);
    await look('pipeline-editor');

    await page.locator('button', { hasText: 'Save changes' }).click();
    await page.locator('[role=status]', { hasText: /Saved as version 2/ }).waitFor();
    const saved = await gql<{
      pipelines: { version: number; spec: { stages: { use: string; with?: unknown }[] } }[];
    }>('{ pipelines { version spec } }', {}, (await token())!);
    const stages = saved.data!.pipelines[0]!.spec.stages;
    expect(stages.filter((s) => s.use === 'mute-words').map((s) => s.with)).toEqual([{ words: ['storm'] }]);
    expect(stages.some((s) => s.use === 'hide-reposts')).toBe(true);
    expect(stages.find((s) => s.use === 'plugin:alice/warn-on-word@1.0.0')?.with).toEqual({
      word: 'picture',
    });

    // Version 1 is there to go back to; restoring it previews the hidden posts shown again.
    await page.locator('details.versions summary').click();
    await page.locator('button', { hasText: 'Restore version 1' }).click();
    await page.locator('.shown-again', { hasText: '2' }).waitFor({ timeout: 30_000 });
    await page.locator('button', { hasText: 'Discard changes' }).click();
  });

  it('lists the hidden items in the audit, each with its reason', async () => {
    await waitFor(
      'the rebuilt timeline to hide the muted post',
      async () => !(await timelineTexts()).includes('A storm is coming over the hills'),
      60_000,
      500,
    );
    expect(await timelineTexts(true)).toContain('A storm is coming over the hills');
    await page.goto(`${instance.apiUrl}/#/audit`);
    const row = page.locator('table.audit tr', { hasText: 'A storm is coming over the hills' });
    await row.waitFor();
    expect(await row.locator('.audit-reason').textContent()).toContain('muted word "storm" in text');
    const repost = page.locator('table.audit tr', { hasText: 'Spotted by a stranger' });
    expect(await repost.textContent()).toContain(`reposted by @${seeded.bob.handle}`);
    expect(await repost.locator('.audit-reason').textContent()).toContain('repost');
    await look('audit');
    expect(stormUri).toMatch(/^at:\/\//);
  });

  it("opens an author's profile from the timeline and from a notification; follows and mutes on their network", async () => {
    // alice names herself and writes a bio on her network: the profile is read from there, now.
    const avatar = (await seeded.alice.agent.uploadBlob(PNG, { encoding: 'image/png' })).data.blob;
    await seeded.alice.agent.upsertProfile((p) => ({
      ...p,
      displayName: 'Alice Liddell',
      description: 'Walks by the river.\nWrites about it.',
      avatar,
    }));
    await net.processAll();

    await page.goto(`${instance.apiUrl}/#/timeline`);
    await post('A picture').locator('a.author-link').click();
    const card = page.locator('.profile-card');
    await card.locator('h1', { hasText: 'Alice Liddell' }).waitFor({ timeout: 30_000 });
    expect(await card.locator('.handle').textContent()).toContain(`@${seeded.alice.handle}`);
    expect(await card.locator('.bio').textContent()).toBe('Walks by the river.\nWrites about it.');
    expect(await card.locator('.relationship').textContent()).toContain('Following');
    // Her posts as her network lists them (the member's pipeline does not apply here).
    await page.locator('.profile article.post', { hasText: 'A storm is coming over the hills' }).waitFor();

    const follows = async () =>
      (
        await seeded.viewer.agent.com.atproto.repo.listRecords({
          repo: seeded.viewer.did,
          collection: 'app.bsky.graph.follow',
        })
      ).data.records.map((r) => (r.value as { subject: string }).subject);
    expect(await follows()).toContain(seeded.alice.did);
    await card.getByRole('button', { name: 'Unfollow Alice Liddell' }).click();
    await card
      .getByRole('button', { name: 'Follow Alice Liddell', exact: true })
      .waitFor({ timeout: 60_000 });
    expect(await follows()).not.toContain(seeded.alice.did);
    // The network's view catches up (a follow while it still sees the old one is taken as done).
    await net.processAll();
    await card.getByRole('button', { name: 'Follow Alice Liddell', exact: true }).click();
    await card.getByRole('button', { name: 'Unfollow Alice Liddell' }).waitFor({ timeout: 60_000 });
    expect(await follows()).toContain(seeded.alice.did);

    await card.getByRole('button', { name: 'Mute Alice Liddell', exact: true }).click();
    await card.getByRole('button', { name: 'Unmute Alice Liddell' }).waitFor({ timeout: 60_000 });
    expect(await card.locator('.relationship').textContent()).toContain('Muted');
    const muted = async () =>
      (
        await gql<{ author: { relationship: { muted: boolean } } }>(
          'query($id: String!) { author(id: $id) { relationship { muted } } }',
          { id: seeded.alice.did },
          (await token())!,
        )
      ).data!.author.relationship.muted;
    expect(await muted()).toBe(true);
    await look('profile');
    await card.getByRole('button', { name: 'Unmute Alice Liddell' }).click();
    await card.getByRole('button', { name: 'Mute Alice Liddell', exact: true }).waitFor({ timeout: 60_000 });
    expect(await muted()).toBe(false);

    // A Mastodon author, read through the member's Mastodon account.
    await page.goto(`${instance.apiUrl}/#/timeline`);
    await page
      .locator('article.post', { hasText: 'film ending' })
      .locator('a.author-link', { hasText: 'cinephile' })
      .click();
    await card.locator('h1', { hasText: 'cinephile' }).waitFor({ timeout: 30_000 });
    expect(await card.getAttribute('data-network')).toBe('MASTODON');
    await page.locator('.profile article.post', { hasText: 'film ending' }).waitFor();

    // From a notification: bob, who liked the member's post; his repost is marked as one.
    await page.goto(`${instance.apiUrl}/#/notifications`);
    await page.locator('li.notification[data-kind=LIKE] a.actor', { hasText: seeded.bob.handle }).click();
    await card.locator('h1', { hasText: seeded.bob.handle }).waitFor({ timeout: 30_000 });
    const repost = page.locator('.profile article.post', { hasText: 'Spotted by a stranger' });
    await repost.waitFor();
    expect(await repost.locator('.reposted-by').textContent()).toContain(`@${seeded.bob.handle}`);
  });

  it('links a Bluesky account with "sign in with Bluesky": off to its server, back into the accounts screen', async () => {
    const visited = await consentingOnTheServer(oauthReader);
    await page.goto(`${instance.apiUrl}/#/accounts`);
    const signIn = page.locator('#link-bluesky form').first();
    await signIn.locator('input[name=handle]').fill(oauthReader.handle);
    await signIn.locator('button', { hasText: 'Sign in with Bluesky' }).click();
    await page.waitForURL(/#\/accounts\?linked=/, { timeout: 60_000 });
    await page.unroute(AUTHORIZE_PAGES());
    expect(visited).toHaveLength(1);
    // Back at the app's own address: the callback's code is gone from the address bar.
    const url = new URL(page.url());
    expect(url.pathname).toBe('/');
    expect(url.search).toBe('');

    const linked = page.locator('li.account.is-new');
    await linked.waitFor();
    expect(await linked.textContent()).toContain(oauthReader.handle);
    expect(await linked.getAttribute('data-status')).toBe('ACTIVE');
    expect(await page.locator('.linked-notice').textContent()).toContain(
      `Bluesky account ${oauthReader.handle} linked.`,
    );
    const accounts = await gql<{ linkedAccounts: { handle: string; status: string }[] }>(
      '{ linkedAccounts { handle status } }',
      {},
      (await token())!,
    );
    expect(accounts.data!.linkedAccounts).toContainEqual({ handle: oauthReader.handle, status: 'ACTIVE' });
    await look('accounts-oauth-return');

    // The member said no on their server: told so, nothing linked, and the way back.
    await page.goto(
      `${instance.apiUrl}/oauth/bluesky/callback?error=access_denied&error_description=${encodeURIComponent('Access denied')}&state=x`,
    );
    const refused = page.locator('[role=alert]', { hasText: 'Tributary was not allowed on your server' });
    await refused.waitFor();
    expect(await page.locator('nav a[aria-current=page]').textContent()).toBe('Accounts');
    await look('oauth-return-refused');
    await refused.locator('a', { hasText: 'Back to Accounts' }).click();
    await page.locator('h1', { hasText: 'Accounts' }).waitFor();
  });

  it('shows a revoked grant as needing sign-in, live, and signing in again from there brings it back', async () => {
    const { data } = await gql<{
      linkedAccounts: { id: string; handle: string; sources: { id: string; kind: string }[] }[];
    }>('{ linkedAccounts { id handle sources { id kind } } }', {}, (await token())!);
    const account = data!.linkedAccounts.find((a) => a.handle === oauthReader.handle)!;
    await page.goto(`${instance.apiUrl}/#/accounts`);
    const card = page.locator(`li.account[data-account-id="${account.id}"]`);
    await card.waitFor();
    // The member signs Tributary out on their server's account page; the next sync finds out.
    expect(await revokeOAuthSessions(net.info.pdsUrl, oauthReader, 'http://localhost')).toBe(1);
    const home = account.sources.find((s) => s.kind === 'HOME')!;
    await instance.running.apps[0]!.get(JobQueue).enqueue('sync-source', { sourceId: home.id });
    await page
      .locator(`li.account[data-account-id="${account.id}"][data-status=NEEDS_REAUTH]`)
      .waitFor({ timeout: 60_000 });
    expect(await card.locator('.badge').first().textContent()).toBe('Needs sign-in again');
    expect(await card.locator('.reauth').textContent()).toContain('Bluesky refused the stored credentials');
    await look('accounts-needs-reauth');

    const visited = await consentingOnTheServer(oauthReader);
    await card.locator('button', { hasText: `Sign in again as ${oauthReader.handle}` }).click();
    await page.waitForURL(/#\/accounts\?linked=/, { timeout: 60_000 });
    await page.unroute(AUTHORIZE_PAGES());
    expect(visited).toHaveLength(1);
    // The same account, updated in place.
    await page.locator(`li.account.is-new[data-account-id="${account.id}"][data-status=ACTIVE]`).waitFor();
  });

  it("links a Mastodon account through its server's OAuth: the code its page shows, pasted back", async () => {
    // Without PUBLIC_URL the instance shows the code on its own page (out of band), in a new tab.
    const second = fake.createAccount('evening');
    await context.route(`${fake.origin}/oauth/authorize?**`, async (route) => {
      const { code } = fake.approve(route.request().url(), second);
      await route.fulfill({
        status: 200,
        contentType: 'text/html',
        body: `<!doctype html><title>Authorization code</title><p>Copy this code: <code>${code}</code></p>`,
      });
    });
    await page.goto(`${instance.apiUrl}/#/accounts`);
    const mastodon = page.locator('#link-mastodon');
    await mastodon.locator('input[name=instance]').first().fill(fake.origin);
    const [tab] = await Promise.all([
      context.waitForEvent('page'),
      mastodon.locator('button', { hasText: 'Sign in with your server' }).click(),
    ]);
    const code = (await tab.locator('code').textContent())!;
    await tab.close();
    await context.unroute(`${fake.origin}/oauth/authorize?**`);
    await mastodon.locator('input[name=code]').fill(code);
    await mastodon.locator('button', { hasText: 'Finish linking' }).click();
    await page.locator('li.account[data-status=ACTIVE]', { hasText: 'evening@' }).waitFor();
    expect(await mastodon.locator('input[name=code]').count()).toBe(0);
  });

  it('fits a phone, in the dark theme too', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${instance.apiUrl}/#/timeline`);
    await post('A picture').waitFor();
    // How far the page is wider than the phone, and the element reaching furthest right (to fix it).
    const overflow = async () => {
      const { by, widest } = await page.evaluate<{ by: number; widest: string }>(`(() => {
        let widest = '', right = 0;
        for (const el of document.querySelectorAll('body *')) {
          const r = el.getBoundingClientRect().right;
          if (r > right) { right = r; widest = el.tagName + '.' + el.className; }
        }
        return { by: document.documentElement.scrollWidth - window.innerWidth, widest };
      })()`);
      return by > 0 ? `${by}px too wide at ${widest}` : 'fits';
    };
    expect(await overflow()).toBe('fits');
    await look('phone-timeline');
    await page.goto(`${instance.apiUrl}/#/pipelines`);
    await page.locator('a.button', { hasText: 'Edit Home' }).click();
    await page.locator('.preview-summary').waitFor({ timeout: 30_000 });
    expect(await overflow()).toBe('fits');
    await look('phone-pipeline-editor');
    // The nav row scrolls sideways on a phone: the current screen's link (the last one here) is in view.
    await page.goto(`${instance.apiUrl}/#/plugins`);
    const current = page.locator('.app-header nav a[aria-current=page]', { hasText: 'Plugins' });
    await current.waitFor();
    await waitFor(
      'the Plugins link in view',
      async () => {
        const box = await current.boundingBox();
        return box !== null && box.x >= 0 && box.x + box.width <= 390;
      },
      5_000,
      50,
    );
    expect(await overflow()).toBe('fits');
    await look('phone-nav-plugins');
    await page.goto(`${instance.apiUrl}/#/profile/${encodeURIComponent(seeded.alice.did)}`);
    await page.locator('.profile article.post').first().waitFor({ timeout: 30_000 });
    // The reference network does not serve the video's thumbnail: a link saying what it is, not the
    // browser's broken image with its alt text.
    const video = page.locator('.profile article.post', { hasText: 'A video' });
    await video.locator('.media a.media-missing', { hasText: 'video: A short clip' }).waitFor();
    expect(await video.locator('.media img').count()).toBe(0);
    expect(await overflow()).toBe('fits');
    await look('phone-profile');

    await page.locator('.theme-picker select').selectOption('dark');
    // Applied by an effect after the render: waited for, not read at once.
    await waitFor(
      'the dark theme on <html>',
      async () => (await page.evaluate<string>('document.documentElement.dataset.theme')) === 'dark',
      5_000,
      50,
    );
    await page.goto(`${instance.apiUrl}/#/timeline`);
    await post('A picture').waitFor();
    await look('phone-timeline-dark');
    expect(pageErrors).toEqual([]);
  });
});
