// Issue 18's promises through the whole service, under every server personality of the fake
// Mastodon (personalities.ts: Mastodon 4.5, a single-user server without streaming, GoToSocial):
// a burst of 500 statuses posted between two polls arrives complete, and edits and deletions at
// origin reach the timeline (streamed where the server streams, found by the poll's re-check where
// it does not). One service, one fake server per personality, one member per server.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { FakeMastodonServer, PERSONALITIES } from '@tributary/testing';
import type { FakeAccount, ServerPersonality } from '@tributary/testing';
import pg from 'pg';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import { linkMastodon } from './link-accounts.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(300_000);

const POLL_INTERVAL_SECONDS = 10;
const BURST = 500;

const fakes = new Map<string, FakeMastodonServer>();
let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let db: pg.Pool;

interface Entry {
  hidden: boolean;
  hiddenReason: string | null;
  post: { text: string };
}

beforeAll(async () => {
  for (const p of PERSONALITIES) fakes.set(p.name, await FakeMastodonServer.start(p));
  instance = await startTestInstance({
    ROLE: 'all',
    POLL_INTERVAL_SECONDS: String(POLL_INTERVAL_SECONDS),
    BACKFILL_DEPTH: '0',
    MASTODON_ALLOWED_HOSTS: [...fakes.values()].map((f) => f.host).join(','),
    MASTODON_ALLOW_HTTP: 'true',
  });
  gql = graphqlClient(instance.apiUrl);
  db = new pg.Pool({ connectionString: instance.databaseUrl, max: 2 });
});

afterAll(async () => {
  await db?.end();
  await instance?.stop();
  for (const fake of fakes.values()) await fake.close();
});

/** The statuses of `nativeIds` stored in the source (one row per status, none twice). */
async function storedIn(sourceId: string, nativeIds: string[]): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM "SourcePost" sp JOIN "Post" p ON p.id = sp."postId"
      WHERE sp."sourceId" = $1 AND p.network = 'MASTODON' AND p."nativeId" = ANY($2)`,
    [sourceId, nativeIds],
  );
  return Number(rows[0]!.n);
}

describe.each(PERSONALITIES.map((p) => [p.name, p] as const))(
  '%s',
  (name, personality: ServerPersonality) => {
    let fake: FakeMastodonServer;
    let author: FakeAccount;
    let token: string;
    let homeId: string;

    /** The member's timeline entries whose text contains `stamp` (`includeHidden`: the audit too). */
    async function timeline(includeHidden: boolean, stamp: string): Promise<Entry[]> {
      const res = await gql<{ timeline: { edges: { node: Entry }[] } }>(
        `query($h: Boolean) { timeline(first: 100, includeHidden: $h) { edges { node {
         hidden hiddenReason post { text } } } } }`,
        { h: includeHidden },
        token,
      );
      expect(res.errors).toBeUndefined();
      return res.data!.timeline.edges.map((e) => e.node).filter((n) => n.post.text.includes(stamp));
    }

    beforeAll(async () => {
      fake = fakes.get(name)!;
      const reader = fake.createAccount('reader');
      author = fake.createAccount('author');
      fake.follow(reader, author);
      // Not empty when linked: the first sync's marker is a status, later syncs read down to it.
      fake.post(author, { text: 'before linking' });
      const auth = instance.running.apps.at(-1)!.get(AuthService);
      const { code } = await auth.createInvite(null, 'MEMBER');
      const n = PERSONALITIES.indexOf(personality);
      // A distinct address per member: sign-ups are limited per address.
      ({ token } = await auth.signUp(code, `reader${n}`, 'long enough password', 'test', `10.18.0.${n}`));
      const accountId = await linkMastodon(gql, token, fake.origin, fake.issueToken(reader));
      const { rows } = await db.query<{ id: string }>(
        `SELECT id FROM "Source" WHERE "linkedAccountId" = $1 AND kind = 'HOME'`,
        [accountId],
      );
      homeId = rows[0]!.id;
      // The first sync sets the marker: what is posted from now on is news, not history.
      await waitFor('the first sync', async () => {
        const { rows: synced } = await db.query(
          `SELECT 1 FROM "Source" WHERE id = $1 AND "lastSyncedAt" IS NOT NULL`,
          [homeId],
        );
        return synced.length === 1;
      });
    });

    it(`a burst of ${BURST} statuses posted between two polls arrives complete`, async () => {
      // Nothing may come by a stream: only polls (every POLL_INTERVAL_SECONDS) can bring the burst.
      if (personality.streaming) fake.dropStreams({ stayDown: true });
      try {
        await burstArrives();
      } finally {
        fake.restoreStreaming();
      }
      expect(fake.violations).toEqual([]);
    });

    async function burstArrives(): Promise<void> {
      const sent = fake.requests.length;
      // Posted in one go (synchronously): no poll falls between two of them.
      const burst = Array.from({ length: BURST }, (_, i) => fake.post(author, { text: `burst ${i}` }));
      await waitFor(
        `all ${BURST} statuses stored`,
        async () => (await storedIn(homeId, burst)) === BURST,
        120_000,
        500,
      );
      const { rows } = await db.query<{ n: string }>(
        `SELECT count(*) - count(DISTINCT uri) AS n FROM "Post" WHERE network = 'MASTODON'`,
      );
      expect(Number(rows[0]!.n)).toBe(0);
      const home = fake.requests.slice(sent).filter((r) => r.path === '/api/v1/timelines/home');
      // More than a page (40) above the marker: the sync paged back with max_id down to it.
      expect(home.some((r) => r.query['max_id'] && r.query['since_id'])).toBe(true);
      // The gap-free reading never rests on min_id, which some servers answer like since_id.
      expect(home.filter((r) => r.query['min_id'])).toEqual([]);
      expect(fake.openStreams).toBe(0);
    }

    it('applies an edit and a deletion at origin to the timeline, keeping the deleted status in the audit', async () => {
      // Streamed where the server streams: wait for the stream to be back.
      if (personality.streaming) await waitFor('the stream back', async () => fake.openStreams === 1, 90_000);
      const stamp = `origin-${Date.now()}`;
      const edited = fake.post(author, { text: `${stamp} before the edit` });
      const deleted = fake.post(author, { text: `${stamp} soon deleted` });
      fake.post(author, { text: `${stamp} untouched` });
      await waitFor(
        'the three statuses shown',
        async () => (await timeline(false, stamp)).length === 3,
        90_000,
      );
      fake.editStatus(edited, { text: `${stamp} after the edit` });
      fake.deleteStatus(deleted);
      const visible = await waitFor(
        'the edit and the deletion applied',
        async () => {
          const items = await timeline(false, stamp);
          const texts = items.map((i) => i.post.text).sort();
          return texts.length === 2 && texts[0]!.endsWith('after the edit') && texts;
        },
        90_000,
      );
      expect(visible).toEqual([`${stamp} after the edit`, `${stamp} untouched`]);
      const audit = await timeline(true, stamp);
      expect(audit.find((i) => i.post.text === `${stamp} soon deleted`)).toMatchObject({
        hidden: true,
        hiddenReason: 'deleted at origin',
      });
      expect(fake.violations).toEqual([]);
    });

    // A stream that was down announced nothing meanwhile: its return re-checks the newest page.
    (personality.streaming ? it : it.skip)(
      'applies the edits and deletions made while the stream was down once it is back',
      async () => {
        await waitFor('the stream open', async () => fake.openStreams === 1, 90_000);
        const stamp = `outage-${Date.now()}`;
        const edited = fake.post(author, { text: `${stamp} before the edit` });
        const deleted = fake.post(author, { text: `${stamp} soon deleted` });
        fake.post(author, { text: `${stamp} untouched` });
        await waitFor('the three statuses shown', async () => (await timeline(false, stamp)).length === 3);
        fake.dropStreams({ stayDown: true });
        // Made while no stream listens: no status.update, no delete reaches Tributary.
        fake.editStatus(edited, { text: `${stamp} after the edit` });
        fake.deleteStatus(deleted);
        fake.restoreStreaming();
        const visible = await waitFor(
          'the missed edit and deletion applied',
          async () => {
            const texts = (await timeline(false, stamp)).map((i) => i.post.text).sort();
            return texts.length === 2 && texts[0]!.endsWith('after the edit') && texts;
          },
          90_000,
        );
        expect(visible).toEqual([`${stamp} after the edit`, `${stamp} untouched`]);
        expect((await timeline(true, stamp)).find((i) => i.post.text.endsWith('soon deleted'))).toMatchObject(
          {
            hidden: true,
            hiddenReason: 'deleted at origin',
          },
        );
        expect(fake.violations).toEqual([]);
      },
    );
  },
);
