// The example web client (apps/web) in a real browser: Debian's chromium driven by playwright-core
// against a real instance whose timeline was ingested from the reference Bluesky network. Logs in,
// reads the merged timeline with its "why", pages with "More", and likes a post; the like is read
// back from the network.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { blueskyNetwork } from '@tributary/testing';
import type { BlueskyNetworkClient, TestBlueskyAccount } from '@tributary/testing';
import pg from 'pg';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';
import { linkBluesky } from './link-accounts.js';

jest.setTimeout(180_000);

const USERNAME = 'webreader';
const PASSWORD = 'a long enough password';
const POSTS = 30;
/** Every fifth post mentions a storm, which the user's pipeline mutes: 24 visible, more than a page of 20. */
const stormy = (n: number) => n % 5 === 0;
const VISIBLE = POSTS - Array.from({ length: POSTS }, (_, n) => n).filter(stormy).length;

let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let net: BlueskyNetworkClient;
let viewer: TestBlueskyAccount;
let author: TestBlueskyAccount;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const posted: { uri: string; cid: string; text: string }[] = [];

beforeAll(async () => {
  // A fresh CI machine has no browser: the script installs Debian's chromium (as root) when missing.
  const executablePath = execFileSync('sh', ['tools/scripts/ensure-chromium.sh'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 20 * 60_000,
  })
    .trim()
    .split('\n')
    .pop()!;
  net = await blueskyNetwork();
  [viewer, author] = await Promise.all([net.createAccount('viewer'), net.createAccount('author')]);
  await viewer.agent.follow(author.did);
  for (let n = 0; n < POSTS; n++) {
    const text = `River note ${n}: ${stormy(n) ? 'a storm is coming' : `the water is ${n % 2 ? 'high' : 'low'}`}`;
    const res = await author.agent.post({
      text,
      createdAt: new Date(Date.now() - (POSTS - n) * 60_000).toISOString(),
    });
    posted.push({ uri: res.uri, cid: res.cid, text });
  }
  await net.processAll();

  instance = await startTestInstance({ ROLE: 'all', POLL_INTERVAL_SECONDS: '3600', BACKFILL_DEPTH: '50' });
  gql = graphqlClient(instance.apiUrl);
  const { code } = await instance.running.apps.at(-1)!.get(AuthService).createInvite(null, 'MEMBER');
  const signUp = await gql<{ signUp: { token: string } }>(
    'mutation($i: String!, $u: String!, $p: String!) { signUp(invite: $i, username: $u, password: $p) { token } }',
    { i: code, u: USERNAME, p: PASSWORD },
  );
  const token = signUp.data!.signUp.token;
  // The user's own pipeline (before linking, so ingest runs it): a muted word and a boosted author,
  // so that every item has a "why" and some are hidden with a reason.
  const pipelines = await gql<{ pipelines: { id: string; isDefault: boolean }[] }>(
    '{ pipelines { id isDefault } }',
    {},
    token,
  );
  const updated = await gql(
    'mutation($id: ID!, $spec: JSON!) { updatePipeline(id: $id, spec: $spec) { version } }',
    {
      id: pipelines.data!.pipelines.find((p) => p.isDefault)!.id,
      spec: {
        name: 'Home',
        sources: [],
        stages: [
          { use: 'mute-words', with: { words: ['storm'] } },
          { use: 'score/recency', with: { halfLifeHours: 6 } },
          { use: 'score/boost-authors', with: { authors: [author.did], amount: 1 } },
        ],
      },
    },
    token,
  );
  expect(updated.errors).toBeUndefined();
  await linkBluesky(gql, token, viewer, net.info.pdsUrl);
  // Ingest and the pipeline worker fill the timeline through the real path (version 2: the user's spec).
  await waitFor(
    'every post to have its timeline entry',
    async () => {
      const db = new pg.Client({ connectionString: instance.databaseUrl });
      await db.connect();
      try {
        const { rows } = await db.query<{ n: string }>(
          `SELECT count(*) AS n FROM "TimelineEntry" WHERE "pipelineVersion" = 2`,
        );
        return Number(rows[0]!.n) === POSTS;
      } finally {
        await db.end();
      }
    },
    120_000,
    250,
  );

  browser = await chromium.launch({ executablePath, headless: true });
  page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
}, 25 * 60_000);

afterAll(async () => {
  await browser?.close();
  await instance?.stop();
});

describe('the example web client in chromium', () => {
  it('is served at / with a strict CSP, beside /graphql and /health', async () => {
    const response = await page.goto(`${instance.apiUrl}/`);
    expect(response?.status()).toBe(200);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(await page.title()).toBe('Tributary');
    expect((await fetch(`${instance.apiUrl}/health`)).status).toBe(200);
    expect((await gql<{ __typename: string }>('{ __typename }')).data?.__typename).toBe('Query');
    expect((await fetch(`${instance.apiUrl}/web/../../package.json`)).status).toBe(404);
    expect((await fetch(`${instance.apiUrl}/web/nope.js`)).status).toBe(404);
  });

  it('refuses a wrong password, then logs in and shows the timeline with networks and a "why"', async () => {
    await page.fill('input[name=username]', USERNAME);
    await page.fill('input[name=password]', 'not the password');
    await page.click('form#login button[type=submit]');
    await page.locator('#login-error', { hasText: /\S/ }).waitFor();
    expect(await page.locator('#login-error').textContent()).toBe('invalid username or password');
    expect(await page.locator('#timeline').isHidden()).toBe(true);

    await page.fill('input[name=username]', USERNAME);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('form#login button[type=submit]');
    await page.locator('#items > li').nth(19).waitFor();
    expect(await page.locator('#items > li').count()).toBe(20);
    expect(await page.evaluate(() => sessionStorage.getItem('tributary.token'))).toMatch(/\S{20,}/);

    const texts = await page.locator('#items .text').allTextContents();
    expect(texts.every((t) => posted.some((p) => p.text === t) && !t.includes('storm'))).toBe(true);
    expect(await page.locator('#items .network').first().textContent()).toBe('Bluesky');
    expect(await page.locator('#items .author').first().textContent()).toContain(author.handle);

    const why = page.locator('#items > li').first().locator('details.why');
    expect(await why.locator('ul, p').first().isVisible()).toBe(false);
    await why.locator('summary').click();
    expect(await why.textContent()).toContain('Seen on Bluesky');
    const decision = why.locator('li.decision', { hasText: 'score/boost-authors' });
    expect(await decision.isVisible()).toBe(true);
    expect(await decision.textContent()).toBe('score/boost-authors score — boosted author (+1.00)');
  });

  it('pages with "More" without repeating an item', async () => {
    await page.click('#more');
    await page
      .locator('#items > li')
      .nth(VISIBLE - 1)
      .waitFor();
    const ids = await page
      .locator('#items > li')
      .evaluateAll((items) => items.map((li) => li.getAttribute('data-post-id')));
    expect(ids).toHaveLength(VISIBLE);
    expect(new Set(ids).size).toBe(VISIBLE);
    await page.locator('#end').waitFor();
    expect(await page.locator('#more').isHidden()).toBe(true);
  });

  it('shows what the pipeline hid, and why, on request', async () => {
    await page.check('#show-hidden');
    await page.locator('#items > li').nth(19).waitFor();
    // Hidden items keep a time-only rank key (no boost), so they come after the boosted visible ones.
    await page.click('#more');
    await page
      .locator('#items > li')
      .nth(POSTS - 1)
      .waitFor();
    const hidden = page.locator('#items > li.is-hidden');
    expect(await hidden.count()).toBe(POSTS - VISIBLE);
    for (const text of await hidden.locator('.text').allTextContents())
      expect(text).toContain('a storm is coming');
    const why = hidden.first().locator('details.why');
    await why.locator('summary').click();
    expect(await why.locator('.hidden-reason').textContent()).toBe('Hidden: muted word "storm" in text');
    await page.uncheck('#show-hidden');
    await page.locator('#items > li').nth(19).waitFor();
    expect(await page.locator('#items > li.is-hidden').count()).toBe(0);
  });

  it('likes a post, shows it done, and the like is on the reference network', async () => {
    const item = page.locator('#items > li').nth(2);
    const text = (await item.locator('.text').textContent())!;
    const target = posted.find((p) => p.text === text)!;
    await item.locator('button.like').click();
    await item.locator('.action-status[data-status]').waitFor({ timeout: 60_000 });
    expect(await item.locator('.action-status').getAttribute('data-status')).toBe('DONE');
    expect(await item.locator('.action-status').textContent()).toBe('liked ✓');
    expect(await item.locator('button.like').isDisabled()).toBe(true);

    await net.processAll();
    const likes = await author.agent.app.bsky.feed.getLikes({ uri: target.uri });
    expect(likes.data.likes.map((l) => l.actor.did)).toEqual([viewer.did]);
    expect(pageErrors).toEqual([]);
  });
});
