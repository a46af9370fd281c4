// Pipelines and plugins over GraphQL, end to end on a real instance (API + worker, PostgreSQL,
// Redis): CRUD with versions and rebuilds, validation with paths, previews that write nothing,
// uploaded plugins running sandboxed (hostile ones contained) and an admin's trusted package.
import { readFile } from 'node:fs/promises';
import { NETWORK_TRUST_DOMAIN } from '@tributary/core';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Post } from '@tributary/core';
import { PrismaService, upsertIngested } from '@tributary/db';
import type { PrismaClient } from '@tributary/db';
import { DEFAULT_PIPELINE_SPEC } from '@tributary/pipeline';
import { JobQueue } from '@tributary/queue';
import { loadTrustedPlugins, syncTrustedPlugins } from '@tributary/timeline';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { codeOf, graphqlClient } from '../../api/src/testing/graphql-client.js';
import type { GraphqlResponse } from '../../api/src/testing/graphql-client.js';
import { createSource, items, testPost } from './pipeline-fixtures.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(180_000);

const PIPELINE_FIELDS =
  'id name isDefault version spec readPosition rebuild { state done total error } versions { version spec }';

interface PipelineView {
  id: string;
  name: string;
  isDefault: boolean;
  version: number;
  spec: Record<string, unknown>;
  readPosition: string | null;
  rebuild: { state: string; done: number; total: number; error: string | null };
  versions: { version: number; spec: unknown }[];
}

interface Issue {
  path: string;
  message: string;
}

let instance: TestInstance;
let prisma: PrismaClient;
let gql: ReturnType<typeof graphqlClient>;
let alice: { token: string; id: string };
let bob: { token: string; id: string };
let sourceId: string;
let posts: Post[];

/** Alice's posts: plain ones, spoilers, engagement bait and cat pictures. */
const TEXTS = [
  'good morning everyone',
  'huge spoiler about the finale',
  'Like if you agree!',
  'my cat sleeps on the keyboard',
  'spoiler: the butler did it',
  'RT if u remember this',
  'a cat and a dog walk into a bar',
  'reading a book about rivers',
  'weather is nice today',
  'follow for follow 🙏',
];

const WARN_ON_WORD = `definePlugin({
  name: 'alice/warn-on-word', version: '1.0.0',
  configSchema: { type: 'object', properties: { word: { type: 'string' } }, required: ['word'], additionalProperties: false },
  fields: ['text'],
  filter: (posts, config) => posts.map((p) => p.text.includes(config.word) ? { action: 'warn', reason: 'mentions ' + config.word } : null),
});`;
const SPIN_AT_RUN = `definePlugin({ name: 'alice/spin', version: '1.0.0', configSchema: { type: 'object' },
  filter() { for (;;) {} } });`;
const BOMB_AT_RUN = `definePlugin({ name: 'alice/bomb', version: '1.0.0', configSchema: { type: 'object' },
  filter() { const hoard = []; for (;;) hoard.push(new Array(1e6).fill(hoard.length)); } });`;

async function signUp(username: string): Promise<{ token: string; id: string }> {
  const auth = instance.running.apps.at(-1)!.get(AuthService, { strict: false });
  const { code } = await auth.createInvite(null, 'MEMBER');
  const res = await gql<{ signUp: { token: string; user: { id: string } } }>(
    'mutation($i: String!, $u: String!) { signUp(invite: $i, username: $u, password: "long enough password") { token user { id } } }',
    { i: code, u: username },
  );
  return { token: res.data!.signUp.token, id: res.data!.signUp.user.id };
}

function ok<T>(res: GraphqlResponse<T>): T {
  expect(res.errors).toBeUndefined();
  return res.data!;
}

async function pipeline(id: string, token = alice.token): Promise<PipelineView> {
  return ok(
    await gql<{ pipeline: PipelineView }>(
      `query($id: ID!) { pipeline(id: $id) { ${PIPELINE_FIELDS} } }`,
      { id },
      token,
    ),
  ).pipeline;
}

async function create(name: string, spec: unknown, token = alice.token) {
  return gql<{ createPipeline: PipelineView }>(
    `mutation($n: String!, $s: JSON!) { createPipeline(name: $n, spec: $s) { ${PIPELINE_FIELDS} } }`,
    { n: name, s: spec },
    token,
  );
}

async function upload(code: string, token = alice.token) {
  return gql<{
    uploadPlugin: {
      id: string;
      name: string;
      version: string;
      kind: string;
      use: string;
      configSchema: unknown;
    };
  }>(
    'mutation($c: String!) { uploadPlugin(code: $c) { id name version kind use configSchema } }',
    { c: code },
    token,
  );
}

/** Waits for the pipeline's rebuild of its current version to finish, and returns the pipeline. */
async function rebuilt(id: string, version: number, token = alice.token): Promise<PipelineView> {
  return waitFor(`rebuild of ${id} v${version}`, async () => {
    const p = await pipeline(id, token);
    if (p.rebuild.state === 'FAILED') throw new Error(`rebuild failed: ${p.rebuild.error}`);
    return p.version === version && p.rebuild.state === 'DONE' ? p : null;
  });
}

/** The stored entries of a pipeline with their post's text, in post order. */
async function entries(pipelineId: string) {
  const rows = await prisma.timelineEntry.findMany({ where: { pipelineId }, orderBy: { postId: 'asc' } });
  const posts = await prisma.post.findMany({ where: { id: { in: rows.map((row) => row.postId) } } });
  const textOf = new Map(posts.map((post) => [post.id, (post.data as { text: string }).text]));
  return rows.map((row) => ({
    text: textOf.get(row.postId)!,
    hidden: row.hidden,
    hiddenReason: row.hiddenReason,
    version: row.pipelineVersion,
    decisions: row.decisions as { stage: string; verdict: string; reason: string | null }[],
  }));
}

function hiddenTexts(stored: { text: string; hidden: boolean }[]): string[] {
  return stored
    .filter((e) => e.hidden)
    .map((e) => e.text)
    .sort();
}

beforeAll(async () => {
  instance = await startTestInstance({
    ROLE: 'all',
    // The admin installed this package and listed it: every process registers it at start.
    TRUSTED_PLUGINS: '@tributary/plugins-no-engagement-bait',
    // A generous limit (the machine is shared; honest plugins must not time out); the hostile ones
    // below are stopped at it all the same.
    PLUGIN_CPU_MS: '1500',
    PLUGIN_MEMORY_MB: '32',
    PIPELINES_PER_USER: '6',
    PLUGINS_PER_USER: '2',
    PLUGIN_UPLOADS_PER_HOUR: '20',
    PIPELINE_SPEC_MAX_KB: '4',
    PIPELINE_VERSIONS_KEPT: '3',
  });
  prisma = instance.running.apps[0]!.get(PrismaService, { strict: false }).client;
  gql = graphqlClient(instance.apiUrl);
  alice = await signUp('alice');
  bob = await signUp('bob');
  ({ sourceId } = await createSource(prisma, alice.id));
  posts = TEXTS.map((text, n) => testPost(n, { text, richText: { segments: [{ type: 'text', text }] } }));
  await upsertIngested(prisma, sourceId, items(posts), NETWORK_TRUST_DOMAIN);
});

afterAll(async () => {
  await instance?.stop();
});

describe('pipelines', () => {
  let defaultId: string;
  let quietId: string;

  it('lists the default pipeline created at sign-up', async () => {
    const { pipelines } = ok(
      await gql<{ pipelines: PipelineView[] }>(`{ pipelines { ${PIPELINE_FIELDS} } }`, {}, alice.token),
    );
    expect(pipelines).toHaveLength(1);
    const [home] = pipelines;
    expect(home).toMatchObject({
      isDefault: true,
      version: 1,
      spec: DEFAULT_PIPELINE_SPEC,
      readPosition: null,
    });
    expect(home!.versions).toEqual([{ version: 1, spec: DEFAULT_PIPELINE_SPEC }]);
    defaultId = home!.id;
  });

  it('validates specs with errors that name the path', async () => {
    const res = ok(
      await gql<{ validatePipeline: { valid: boolean; errors: Issue[] } }>(
        'query($s: JSON!) { validatePipeline(spec: $s) { valid errors { path message } } }',
        {
          s: {
            stages: [
              { use: 'mute-words', with: { words: ['x'] } },
              { use: 'score/recency', with: { halfLifeHours: -2 } },
              { use: 'no-such-stage' },
              { use: 'plugin:nobody/nothing@1' },
            ],
          },
        },
        alice.token,
      ),
    ).validatePipeline;
    expect(res.valid).toBe(false);
    expect(res.errors).toEqual(
      expect.arrayContaining([
        { path: 'stages[1].with.halfLifeHours', message: 'expected a positive number' },
        expect.objectContaining({
          path: 'stages[2].use',
          message: expect.stringContaining('unknown stage "no-such-stage"'),
        }),
      ]),
    );
    // The spec's own problems come first; a plugin that is not installed is one once it parses.
    const plugin = ok(
      await gql<{ validatePipeline: { valid: boolean; errors: Issue[] } }>(
        'query($s: JSON!) { validatePipeline(spec: $s) { valid errors { path message } } }',
        { s: { stages: [{ use: 'media-only' }, { use: 'plugin:nobody/nothing@1' }] } },
        alice.token,
      ),
    ).validatePipeline;
    expect(plugin).toEqual({
      valid: false,
      errors: [
        { path: 'stages[1].use', message: expect.stringContaining('"nobody/nothing@1" is not installed') },
      ],
    });
    const fine = ok(
      await gql<{ validatePipeline: { valid: boolean; errors: Issue[] } }>(
        'query { validatePipeline(spec: { stages: [{ use: "score/recency", with: { halfLifeHours: 3 } }] }) { valid errors { path } } }',
        {},
        alice.token,
      ),
    ).validatePipeline;
    expect(fine).toEqual({ valid: true, errors: [] });
    const notAnObject = ok(
      await gql<{ validatePipeline: { valid: boolean; errors: Issue[] } }>(
        'query { validatePipeline(spec: ["stages"]) { valid errors { path message } } }',
        {},
        alice.token,
      ),
    ).validatePipeline;
    expect(notAnObject).toEqual({
      valid: false,
      errors: [{ path: '(root)', message: 'expected a JSON object with "stages"' }],
    });
  });

  it('creates a pipeline (version 1) whose rebuild runs to DONE with progress', async () => {
    const spec = { stages: [{ use: 'mute-words', with: { words: ['spoiler'] } }] };
    const created = ok(await create('Quiet', spec)).createPipeline;
    // The rebuild is under way as soon as the mutation answers.
    expect(created).toMatchObject({
      name: 'Quiet',
      isDefault: false,
      version: 1,
      spec: { name: 'Quiet', ...spec },
    });
    expect(created.rebuild).toEqual({ state: 'RUNNING', done: 0, total: 0, error: null });
    quietId = created.id;
    const done = await rebuilt(quietId, 1);
    expect(done.rebuild).toEqual({ state: 'DONE', done: TEXTS.length, total: TEXTS.length, error: null });
    expect(done.versions.map((v) => v.version)).toEqual([1]);
    const stored = await entries(quietId);
    expect(stored).toHaveLength(TEXTS.length);
    expect(hiddenTexts(stored)).toEqual(TEXTS.filter((t) => t.includes('spoiler')).sort());
    expect(stored.find((e) => e.hidden)!.decisions).toContainEqual(
      expect.objectContaining({ stage: 'mute-words', verdict: 'hide' }),
    );
  });

  it('previews a spec over recent posts (kept, hidden, why) without writing anything', async () => {
    const snapshot = async () => ({
      entries: await prisma.timelineEntry.findMany({ orderBy: { id: 'asc' } }),
      pipelines: await prisma.pipeline.findMany({ orderBy: { id: 'asc' } }),
      versions: await prisma.pipelineVersion.count(),
    });
    const before = await snapshot();
    expect(before.entries.length).toBe(TEXTS.length); // the Quiet pipeline's, from the rebuild
    const res = ok(
      await gql<{
        previewPipeline: {
          post: { id: string; text: string };
          hidden: boolean;
          hiddenReason: string | null;
          decisions: { stage: string; verdict: string; reason: string | null }[];
          rankKey: number;
        }[];
      }>(
        `query($s: JSON!) { previewPipeline(spec: $s, limit: 8) {
           post { id text } hidden hiddenReason rankKey decisions { stage index verdict reason score } } }`,
        {
          s: {
            stages: [
              { use: 'mute-words', with: { words: ['cat'] } },
              { use: 'score/recency', with: { halfLifeHours: 6 } },
            ],
          },
        },
        alice.token,
      ),
    ).previewPipeline;
    // 8 of the newest posts (all were seen at once here), highest rank first.
    expect(res).toHaveLength(8);
    expect(new Set(res.map((i) => i.post.id)).size).toBe(8);
    for (const item of res) expect(TEXTS).toContain(item.post.text);
    const ranks = res.map((i) => i.rankKey);
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
    for (const item of res) {
      const mentionsCat = /\bcat\b/.test(item.post.text);
      expect(item.hidden).toBe(mentionsCat);
      // Why: the mute stage's verdict on every post, a `keep` for the ones it let through.
      expect(item.decisions).toContainEqual(
        expect.objectContaining({ stage: 'mute-words', verdict: mentionsCat ? 'HIDE' : 'KEEP' }),
      );
      if (mentionsCat) expect(item.hiddenReason).toMatch(/cat/);
    }
    expect(await snapshot()).toEqual(before);

    const invalid = await gql(
      'query { previewPipeline(spec: { stages: [{ use: "language" }] }) { hidden } }',
      {},
      alice.token,
    );
    expect(codeOf(invalid)).toBe('BAD_USER_INPUT');
    expect(invalid.errors![0]!.extensions!['issues']).toEqual([
      { path: 'stages[0].with', message: 'expected "allow" or "deny"' },
    ]);
  });

  it('saves a changed spec as a new version and rebuilds; same spec or a rename keeps the version', async () => {
    const spec = { stages: [{ use: 'mute-words', with: { words: ['spoiler', 'cat'] } }] };
    const updated = ok(
      await gql<{ updatePipeline: PipelineView }>(
        `mutation($id: ID!, $s: JSON) { updatePipeline(id: $id, spec: $s) { ${PIPELINE_FIELDS} } }`,
        { id: quietId, s: spec },
        alice.token,
      ),
    ).updatePipeline;
    expect(updated).toMatchObject({ version: 2, rebuild: { state: 'RUNNING' } });
    const done = await rebuilt(quietId, 2);
    expect(done.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(done.versions[1]!.spec).toEqual({ name: 'Quiet', ...spec });
    const stored = await entries(quietId);
    expect(stored.every((e) => e.version === 2)).toBe(true);
    expect(hiddenTexts(stored)).toEqual(
      TEXTS.filter((t) => t.includes('spoiler') || /\bcat\b/.test(t)).sort(),
    );

    const again = ok(
      await gql<{ updatePipeline: PipelineView }>(
        `mutation($id: ID!, $s: JSON) { updatePipeline(id: $id, name: "Calm", spec: $s) { ${PIPELINE_FIELDS} } }`,
        { id: quietId, s: { name: 'Quiet', ...spec } },
        alice.token,
      ),
    ).updatePipeline;
    expect(again).toMatchObject({ name: 'Calm', version: 2, rebuild: { state: 'DONE' } });
    expect(await prisma.pipelineVersion.count({ where: { pipelineId: quietId } })).toBe(2);
  });

  it('refuses invalid specs, duplicate names and oversized specs with clear errors', async () => {
    const invalid = await create('Broken', {
      stages: [{ use: 'score/recency', with: { halfLifeHours: 'soon' } }],
    });
    expect(codeOf(invalid)).toBe('BAD_USER_INPUT');
    expect(invalid.errors![0]!.message).toContain('stages[0].with.halfLifeHours');
    expect(invalid.errors![0]!.extensions!['issues']).toEqual([
      { path: 'stages[0].with.halfLifeHours', message: 'expected a positive number' },
    ]);
    const update = await gql(
      'mutation($id: ID!) { updatePipeline(id: $id, spec: { stages: [{ use: "hide-replies", with: { keepSelfThreads: 1 } }] }) { id } }',
      { id: quietId },
      alice.token,
    );
    expect(update.errors![0]!.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      issues: [{ path: 'stages[0].with.keepSelfThreads', message: 'expected true or false' }],
    });
    expect(codeOf(await create('Calm', { stages: [] }))).toBe('CONFLICT');
    const big = await create('Big', {
      stages: [{ use: 'mute-words', with: { words: Array(400).fill('long word here') } }],
    });
    expect(codeOf(big)).toBe('BAD_USER_INPUT');
    expect(big.errors![0]!.message).toMatch(/spec too large \(\d+ bytes, at most 4096\)/);
    expect(codeOf(await create('   ', { stages: [] }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await create('Array', [] as unknown))).toBe('BAD_USER_INPUT');
    expect(await prisma.pipeline.count({ where: { userId: alice.id } })).toBe(2);
    expect((await pipeline(quietId)).version).toBe(2);
  });

  it('keeps exactly one default, also under concurrent switches', async () => {
    const switched = ok(
      await gql<{ setDefaultPipeline: PipelineView }>(
        'mutation($id: ID!) { setDefaultPipeline(id: $id) { id isDefault } }',
        { id: quietId },
        alice.token,
      ),
    ).setDefaultPipeline;
    expect(switched).toEqual({ id: quietId, isDefault: true });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        gql(
          'mutation($id: ID!) { setDefaultPipeline(id: $id) { id } }',
          { id: i % 2 ? quietId : defaultId },
          alice.token,
        ),
      ),
    );
    const defaults = await prisma.pipeline.findMany({ where: { userId: alice.id, isDefault: true } });
    expect(defaults).toHaveLength(1);
    ok(await gql('mutation($id: ID!) { setDefaultPipeline(id: $id) { id } }', { id: quietId }, alice.token));
  });

  it('refuses to delete the default without a new one, and the last pipeline at all', async () => {
    const refused = await gql('mutation($id: ID!) { deletePipeline(id: $id) }', { id: quietId }, alice.token);
    expect(codeOf(refused)).toBe('CONFLICT');
    expect(refused.errors![0]!.message).toMatch(/newDefault/);
    const deleted = await gql(
      'mutation($id: ID!, $d: ID) { deletePipeline(id: $id, newDefault: $d) }',
      { id: quietId, d: defaultId },
      alice.token,
    );
    expect(ok(deleted)).toEqual({ deletePipeline: true });
    expect(await pipeline(defaultId)).toMatchObject({ isDefault: true });
    expect(await prisma.timelineEntry.count({ where: { pipelineId: quietId } })).toBe(0);
    expect(await prisma.pipelineVersion.count({ where: { pipelineId: quietId } })).toBe(0);

    const only = await gql(
      'mutation($id: ID!) { deletePipeline(id: $id, newDefault: $id) }',
      { id: defaultId },
      alice.token,
    );
    expect(codeOf(only)).toBe('CONFLICT');
    expect(only.errors![0]!.message).toMatch(/only pipeline/);
    expect(await prisma.pipeline.count({ where: { userId: alice.id } })).toBe(1);
  });

  it('limits the number of pipelines per user', async () => {
    const made: string[] = [];
    for (let i = 1; i < 6; i++)
      made.push(ok(await create(`Extra ${i}`, { stages: [] }, bob.token)).createPipeline.id);
    const over = await create('One too many', { stages: [] }, bob.token);
    expect(codeOf(over)).toBe('CONFLICT');
    expect(over.errors![0]!.message).toMatch(/at most 6 pipelines/);
    for (const id of made) ok(await gql('mutation($id: ID!) { deletePipeline(id: $id) }', { id }, bob.token));
  });

  it('keeps the newest PIPELINE_VERSIONS_KEPT versions of a pipeline', async () => {
    // Every edit saved a version for good, and `versions` read them all (specs included).
    const listed = ok(
      await gql<{ pipelines: { id: string; version: number }[] }>(
        '{ pipelines { id version } }',
        {},
        bob.token,
      ),
    );
    const { id, version } = listed.pipelines[0]!;
    for (let edit = 1; edit <= 4; edit++)
      ok(
        await gql(
          'mutation($id: ID!, $s: JSON) { updatePipeline(id: $id, spec: $s) { version } }',
          { id, s: { stages: [{ use: 'mute-words', with: { words: [`edit ${edit}`] } }] } },
          bob.token,
        ),
      );
    const done = await rebuilt(id, version + 4, bob.token);
    expect(done.versions.map((v) => v.version)).toEqual([version + 2, version + 3, version + 4]);
    expect(done.versions[2]!.spec).toEqual({
      name: expect.any(String),
      stages: [{ use: 'mute-words', with: { words: ['edit 4'] } }],
    });
    expect(await prisma.pipelineVersion.count({ where: { pipelineId: id } })).toBe(3);
  });
});

describe('plugins', () => {
  let warnPluginId: string;

  it("lists the admin's trusted package and nobody's uploads yet", async () => {
    const { plugins } = ok(
      await gql<{
        plugins: { name: string; version: string; kind: string; packageName: string | null; use: string }[];
      }>('{ plugins { name version kind packageName use } }', {}, alice.token),
    );
    expect(plugins).toEqual([
      {
        name: 'community/no-engagement-bait',
        version: '1.0.0',
        kind: 'TRUSTED',
        packageName: '@tributary/plugins-no-engagement-bait',
        use: 'plugin:community/no-engagement-bait@1.0.0',
      },
    ]);
  });

  it('uploads a plugin after loading it in the sandbox, and refuses bad or hostile code', async () => {
    const uploaded = ok(await upload(WARN_ON_WORD)).uploadPlugin;
    expect(uploaded).toMatchObject({
      name: 'alice/warn-on-word',
      version: '1.0.0',
      kind: 'SANDBOXED',
      use: 'plugin:alice/warn-on-word@1.0.0',
      configSchema: { type: 'object', required: ['word'] },
    });
    warnPluginId = uploaded.id;

    const refusals: [string, RegExp][] = [
      ['definePlugin({ name: ', /SyntaxError/],
      ['const x = 1;', /never called definePlugin/],
      [
        "definePlugin({ name: 'Bad Name!', version: '1', configSchema: {}, filter: () => [] })",
        /name: expected lowercase/,
      ],
      ['for (;;) {}', /timeout|timed out/],
      ['const a = []; for (;;) a.push(new Array(1e6).fill(1));', /memory/],
      [
        "process.exit(1); definePlugin({ name: 'x', version: '1.0.0', configSchema: {}, filter: () => [] })",
        /process is not defined/,
      ],
      [`// ${'x'.repeat(257 * 1024)}`, /larger than 256 KiB/],
      // Text PostgreSQL cannot store: a NUL in the code (refused with every input's NUL, before the
      // resolver), in the declared schema, a lone surrogate.
      [
        "definePlugin({ name: 'x', version: '1.0.0', configSchema: {}, filter: () => [] }) // \u0000",
        /\$c: text cannot contain NUL characters/,
      ],
      [
        "definePlugin({ name: 'x', version: '1.0.0', configSchema: { description: 'a\\u0000b' }, filter: () => [] })",
        /configSchema: text with NUL characters or lone surrogates/,
      ],
      [
        "definePlugin({ name: 'x', version: '1.0.0', configSchema: { ['\\ud800']: 1 }, filter: () => [] })",
        /configSchema: text with NUL characters or lone surrogates/,
      ],
    ];
    for (const [code, reason] of refusals) {
      const res = await upload(code);
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0]!.message).toMatch(reason);
    }
    // The admin's name and version are taken; so is one's own upload.
    const trustedName = WARN_ON_WORD.replace('alice/warn-on-word', 'community/no-engagement-bait');
    expect(codeOf(await upload(trustedName))).toBe('CONFLICT');
    expect(codeOf(await upload(WARN_ON_WORD))).toBe('CONFLICT');
    expect(await prisma.plugin.count({ where: { ownerId: alice.id } })).toBe(1);
  });

  it('limits the uploads per user, also when they arrive at once', async () => {
    const code = (n: number) => WARN_ON_WORD.replace('alice/warn-on-word', `bob/plugin-${n}`);
    const results = await Promise.all([1, 2, 3].map((n) => upload(code(n), bob.token)));
    expect(results.map(codeOf).sort()).toEqual(['CONFLICT', null, null]);
    expect(results.find((r) => codeOf(r) === 'CONFLICT')!.errors![0]!.message).toMatch(
      /at most 2 uploaded plugins/,
    );
    expect(await prisma.plugin.count({ where: { ownerId: bob.id } })).toBe(2);
    for (const res of results.filter((r) => !r.errors))
      ok(
        await gql(
          'mutation($id: ID!) { deletePlugin(id: $id) }',
          { id: res.data!.uploadPlugin.id },
          bob.token,
        ),
      );
  });

  it('limits the uploads a user may have checked per hour, whatever became of them, with when to retry', async () => {
    const carol = await signUp('carol');
    const started = Date.now();
    for (let n = 0; n < 20; n++)
      expect(codeOf(await upload('const notAPlugin = 1;', carol.token))).toBe('BAD_USER_INPUT');
    const limited = await upload(WARN_ON_WORD, carol.token);
    expect(codeOf(limited)).toBe('RATE_LIMITED');
    expect(limited.errors![0]!.message).toMatch(/^at most 20 plugin uploads per hour; try again after /);
    const retryAt = Date.parse(limited.errors![0]!.extensions!['retryAt'] as string);
    expect(retryAt).toBeGreaterThanOrEqual(started + 3_600_000);
    expect(retryAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
    // Counted per user: others upload as before.
    expect(codeOf(await upload('const notAPlugin = 1;', bob.token))).toBe('BAD_USER_INPUT');
  });

  it('runs an uploaded plugin sandboxed in a pipeline: its decisions are on the entries, also for new posts', async () => {
    const spec = { stages: [{ use: 'plugin:alice/warn-on-word@1', with: { word: 'cat' } }] };
    // Its `with` is checked against the plugin's own schema.
    const wrong = await create('Cats', {
      stages: [{ use: 'plugin:alice/warn-on-word@1', with: { words: 'cat' } }],
    });
    expect(codeOf(wrong)).toBe('BAD_USER_INPUT');
    expect((wrong.errors![0]!.extensions!['issues'] as Issue[]).map((i) => i.path)).toContain(
      'stages[0].with.word',
    );

    const created = ok(await create('Cats', spec)).createPipeline;
    await rebuilt(created.id, 1);
    const stored = await entries(created.id);
    expect(stored).toHaveLength(TEXTS.length);
    for (const entry of stored) {
      const cat = entry.text.includes('cat');
      expect(entry.hidden).toBe(false);
      expect(entry.decisions.filter((d) => d.stage === 'plugin:alice/warn-on-word@1')).toEqual(
        cat ? [expect.objectContaining({ verdict: 'warn', reason: 'mentions cat' })] : [],
      );
    }

    // A new post through the live path (run-pipelines, as ingest enqueues it).
    const fresh = testPost(100, {
      text: 'the cat is back',
      richText: { segments: [{ type: 'text', text: 'the cat is back' }] },
    });
    const { newPostIds } = await upsertIngested(prisma, sourceId, items([fresh]), NETWORK_TRUST_DOMAIN);
    const jobs = instance.running.apps[0]!.get(JobQueue, { strict: false });
    await jobs.enqueue('run-pipelines', { userId: alice.id, postIds: newPostIds.map(String) });
    const entry = await waitFor('the new post in the Cats timeline', () =>
      prisma.timelineEntry.findFirst({ where: { pipelineId: created.id, postId: newPostIds[0]! } }),
    );
    expect(entry.decisions).toEqual([
      expect.objectContaining({
        stage: 'plugin:alice/warn-on-word@1',
        verdict: 'warn',
        reason: 'mentions cat',
      }),
    ]);

    // In use: the upload cannot be deleted from under the pipeline.
    const inUse = await gql(
      'mutation($id: ID!) { deletePlugin(id: $id) }',
      { id: warnPluginId },
      alice.token,
    );
    expect(codeOf(inUse)).toBe('CONFLICT');
    expect(inUse.errors![0]!.extensions!['pipelines']).toEqual(['Cats']);
    ok(await gql('mutation($id: ID!) { deletePipeline(id: $id) }', { id: created.id }, alice.token));
    expect(
      ok(await gql('mutation($id: ID!) { deletePlugin(id: $id) }', { id: warnPluginId }, alice.token)),
    ).toEqual({
      deletePlugin: true,
    });
    expect(await prisma.plugin.count({ where: { id: warnPluginId } })).toBe(0);
  });

  it('contains plugins that loop forever or exhaust their memory at run time; the pipeline goes on per onError', async () => {
    const spin = ok(await upload(SPIN_AT_RUN)).uploadPlugin;
    const bomb = ok(await upload(BOMB_AT_RUN)).uploadPlugin;
    const created = ok(
      await create('Hostile', {
        stages: [
          { use: bomb.use, onError: 'skip' },
          { use: 'mute-words', with: { words: ['spoiler'] } },
          { use: spin.use, onError: 'hide' },
        ],
      }),
    ).createPipeline;
    const done = await rebuilt(created.id, 1);
    expect(done.rebuild.total).toBe(TEXTS.length + 1);
    const stored = await entries(created.id);
    expect(stored).toHaveLength(TEXTS.length + 1);
    for (const entry of stored) {
      // The memory bomb failed and was skipped (recorded), the built-in stage still ran, and the
      // endless loop hid what reached it, as its onError says.
      expect(entry.decisions[0]).toMatchObject({
        stage: bomb.use,
        verdict: 'error',
        reason: expect.stringMatching(/^plugin error: /),
      });
      expect(entry.hidden).toBe(true);
      if (entry.text.includes('spoiler'))
        expect(entry.decisions[1]).toMatchObject({ stage: 'mute-words', verdict: 'hide' });
      else expect(entry.hiddenReason).toMatch(/^plugin error: (timeout|sandbox)/);
    }
    ok(await gql('mutation($id: ID!) { deletePipeline(id: $id) }', { id: created.id }, alice.token));
  });

  it("runs one preview at a time per user, so one user's plugins cannot hold the sandbox for everyone", async () => {
    const spin = (
      await gql<{ plugins: { use: string; name: string }[] }>(
        'query { plugins { use name } }',
        {},
        alice.token,
      )
    ).data!.plugins.find((p) => p.name === 'alice/spin')!;
    const preview = (token: string, stages: unknown[]) =>
      gql<{ previewPipeline: { hidden: boolean }[] }>(
        'query($s: JSON!) { previewPipeline(spec: $s, limit: 3) { hidden } }',
        { s: { stages } },
        token,
      );
    // The endless loop runs until the sandbox's time limit: alice's first preview is still running
    // when her second and bob's arrive.
    const slow = [{ use: spin.use, onError: 'hide' }];
    const [first, second, other] = await Promise.all([
      preview(alice.token, slow),
      preview(alice.token, slow),
      preview(bob.token, [{ use: 'mute-words', with: { words: ['cat'] } }]),
    ]);
    const answers = [first, second];
    expect(answers.filter((a) => a.errors === undefined)).toHaveLength(1);
    const limited = answers.find((a) => a.errors !== undefined)!;
    expect(codeOf(limited)).toBe('RATE_LIMITED');
    expect(limited.errors![0]!.message).toBe(
      'one preview at a time: wait for your previous preview to finish',
    );
    expect(answers.find((a) => a.errors === undefined)!.data!.previewPipeline.every((i) => i.hidden)).toBe(
      true,
    );
    ok(other);
    // Released when it ends, also after a failure.
    expect(codeOf(await preview(alice.token, [{ use: 'language' }]))).toBe('BAD_USER_INPUT');
    ok(await preview(alice.token, [{ use: 'mute-words', with: { words: ['cat'] } }]));
  });

  describe('what a plugin returns is stored and read back, whatever it is', () => {
    let dave: { token: string; id: string };
    interface TimelineNode {
      rankKey: number;
      post: { text: string };
      decisions: { verdict: string; reason: string | null; score: number }[];
    }
    interface TimelinePage {
      edges: { cursor: string; node: TimelineNode }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    }
    /** Dave's timeline of `pipelineId`, page by page (2 items a page) through the cursors. */
    const readAll = async (pipelineId: string): Promise<TimelineNode[]> => {
      const nodes: TimelineNode[] = [];
      let after: string | null = null;
      for (let n = 0; n < 10; n++) {
        const page: TimelinePage = ok(
          await gql<{ timeline: TimelinePage }>(
            `query($p: ID!, $a: String) { timeline(pipeline: $p, first: 2, after: $a) {
              edges { cursor node { rankKey post { text } decisions { verdict reason score } } }
              pageInfo { hasNextPage endCursor } } }`,
            { p: pipelineId, a: after },
            dave.token,
          ),
        ).timeline;
        nodes.push(...page.edges.map((e) => e.node));
        if (!page.pageInfo.hasNextPage) return nodes;
        after = page.pageInfo.endCursor;
      }
      throw new Error('more pages than posts');
    };
    const DAVE_TEXTS = ['first', 'second', 'third', 'fourth', 'fifth'];

    beforeAll(async () => {
      dave = await signUp('dave');
      const { sourceId: daves } = await createSource(prisma, dave.id);
      await upsertIngested(
        prisma,
        daves,
        items(
          DAVE_TEXTS.map((text, n) =>
            testPost(200 + n, { text, richText: { segments: [{ type: 'text', text }] } }),
          ),
        ),
        NETWORK_TRUST_DOMAIN,
      );
    });

    it('a reason with NUL, control characters and half a surrogate pair: the rebuild completes, the decision reads back', async () => {
      const odd = ok(
        await upload(
          `definePlugin({ name: 'dave/odd-reasons', version: '1.0.0', configSchema: { type: 'object' },
            filter: (posts) => posts.map(() => ({ action: 'warn', reason: 'odd\\u0000reason\\n\\ud83d' })) });`,
          dave.token,
        ),
      ).uploadPlugin;
      const created = ok(await create('Odd', { stages: [{ use: odd.use }] }, dave.token)).createPipeline;
      await rebuilt(created.id, 1, dave.token);
      const read = await readAll(created.id);
      expect(read.map((n) => n.post.text).sort()).toEqual([...DAVE_TEXTS].sort());
      for (const node of read)
        expect(node.decisions).toEqual([{ verdict: 'WARN', reason: 'odd reason \ufffd', score: 0 }]);
    });

    it('a score of 1e308 at weight 100: finite rank keys, timeline { rankKey } and its cursors work', async () => {
      const huge = ok(
        await upload(
          `definePlugin({ name: 'dave/huge-scores', version: '1.0.0', configSchema: { type: 'object' },
            score: (posts) => posts.map((p) => (p.text === 'third' ? -1e308 : 1e308)) });`,
          dave.token,
        ),
      ).uploadPlugin;
      const created = ok(
        await create('Huge', { stages: [{ use: huge.use, weight: 100 }] }, dave.token),
      ).createPipeline;
      await rebuilt(created.id, 1, dave.token);
      const read = await readAll(created.id);
      expect(read.map((n) => n.post.text)).toHaveLength(DAVE_TEXTS.length);
      expect(read.at(-1)!.post.text).toBe('third');
      for (const node of read) {
        expect(Number.isFinite(node.rankKey)).toBe(true);
        // A plugin's score counts as at most ±100, times the weight.
        expect(node.decisions).toEqual([
          { verdict: 'SCORE', reason: 'plugin score', score: node.post.text === 'third' ? -10_000 : 10_000 },
        ]);
      }

      // Entries written before rank keys were bounded may hold ±Infinity or NaN: the migration
      // clamps them (run here again on such rows), and the table refuses new ones.
      await prisma.$executeRawUnsafe(
        'ALTER TABLE "TimelineEntry" DROP CONSTRAINT "TimelineEntry_rankKey_finite"',
      );
      const stored = await prisma.timelineEntry.findMany({
        where: { pipelineId: created.id },
        orderBy: { postId: 'asc' },
      });
      const broken = ['Infinity', '-Infinity', 'NaN'];
      for (const [i, value] of broken.entries())
        await prisma.$executeRawUnsafe(
          `UPDATE "TimelineEntry" SET "rankKey" = '${value}'::float8 WHERE id = $1`,
          stored[i]!.id,
        );
      const migration = await readFile(
        new URL(
          '../../../prisma/migrations/20261125101600_timeline_entry_finite_rank_key/migration.sql',
          import.meta.url,
        ),
        'utf8',
      );
      for (const statement of migration.split(/;\s*$/m).filter((s) => s.replace(/--.*$/gm, '').trim() !== ''))
        await prisma.$executeRawUnsafe(statement);
      const after = await readAll(created.id);
      expect(after).toHaveLength(DAVE_TEXTS.length);
      expect(after.map((n) => n.rankKey)).toEqual(expect.arrayContaining([1e12, -1e12, -1e12]));
      await expect(
        prisma.$executeRawUnsafe(
          `UPDATE "TimelineEntry" SET "rankKey" = 'Infinity'::float8 WHERE id = $1`,
          stored[0]!.id,
        ),
      ).rejects.toThrow(/TimelineEntry_rankKey_finite/);
    });
  });

  it("runs the admin's trusted package in-process, end to end", async () => {
    const created = ok(
      await create('No bait', {
        stages: [{ use: 'plugin:community/no-engagement-bait@1', with: { action: 'hide' } }],
      }),
    ).createPipeline;
    await rebuilt(created.id, 1);
    const stored = await entries(created.id);
    expect(hiddenTexts(stored)).toEqual(
      ['Like if you agree!', 'RT if u remember this', 'follow for follow 🙏'].sort(),
    );
    for (const entry of stored.filter((e) => e.hidden))
      expect(entry.decisions).toEqual([
        expect.objectContaining({
          stage: 'plugin:community/no-engagement-bait@1',
          verdict: 'hide',
          reason: 'engagement bait',
        }),
      ]);
    // The admin's plugins are not the user's to delete.
    const trusted = await prisma.plugin.findFirstOrThrow({ where: { kind: 'TRUSTED' } });
    expect(
      codeOf(await gql('mutation($id: ID!) { deletePlugin(id: $id) }', { id: trusted.id }, alice.token)),
    ).toBe('FORBIDDEN');

    // Unlisting the package (what a start with it gone from TRUSTED_PLUGINS does) uninstalls it;
    // listing it again brings it back. Registration is idempotent.
    const trustedNames = async () =>
      ok(await gql<{ plugins: { use: string; kind: string }[] }>('{ plugins { use kind } }', {}, alice.token))
        .plugins.filter((p) => p.kind === 'TRUSTED')
        .map((p) => p.use);
    expect(await syncTrustedPlugins(prisma, [])).toEqual({ added: 0, removed: 1 });
    expect(await trustedNames()).toEqual([]);
    const listed = await loadTrustedPlugins(instance.config.TRUSTED_PLUGINS);
    expect(await syncTrustedPlugins(prisma, listed)).toEqual({ added: 1, removed: 0 });
    expect(await syncTrustedPlugins(prisma, listed)).toEqual({ added: 0, removed: 0 });
    expect(await trustedNames()).toEqual(['plugin:community/no-engagement-bait@1.0.0']);
  });
});

// Issue #16: user regexes (mute words, a plugin's config schema) run on RE2, in time linear in the
// text. Each payload below blocked the API's event loop for seconds to minutes on V8; a match that
// cannot be interrupted fails these tests by their own timeout instead of an assertion on time.
describe('hostile regexes', () => {
  const ZHE = `ж${'[^q]*'.repeat(8)}q!`;
  let erin: { token: string; id: string };

  const validate = async (spec: unknown, token: string) =>
    ok(
      await gql<{ validatePipeline: { valid: boolean; errors: Issue[] } }>(
        'query($s: JSON!) { validatePipeline(spec: $s) { valid errors { path message } } }',
        { s: spec },
        token,
      ),
    ).validatePipeline;

  beforeAll(async () => {
    erin = await signUp('erin');
    const { sourceId: erinSource } = await createSource(prisma, erin.id);
    const texts = [`ж${'x'.repeat(45)}`, 'жxxq!', 'nothing to see'];
    await upsertIngested(
      prisma,
      erinSource,
      items(
        texts.map((text, i) => testPost(200 + i, { text, richText: { segments: [{ type: 'text', text }] } })),
      ),
      NETWORK_TRUST_DOMAIN,
    );
  });

  it('previews a mute regex that backtracks polynomially on V8 at once, with the right verdicts', async () => {
    const spec = { stages: [{ use: 'mute-words', with: { words: [{ regex: ZHE }] } }] };
    expect(await validate(spec, erin.token)).toEqual({ valid: true, errors: [] });
    const res = ok(
      await gql<{
        previewPipeline: { post: { text: string }; hidden: boolean; hiddenReason: string | null }[];
      }>(
        'query($s: JSON!) { previewPipeline(spec: $s, limit: 10) { post { text } hidden hiddenReason } }',
        { s: spec },
        erin.token,
      ),
    ).previewPipeline;
    expect(res.map((i) => [i.post.text, i.hidden, i.hiddenReason]).sort()).toEqual([
      ['nothing to see', false, null],
      ['жxxq!', true, `muted word "/${ZHE}/" in text`],
      [`ж${'x'.repeat(45)}`, false, null],
    ]);
  }, 10_000);

  it('refuses a mute regex RE2 cannot run, naming its path', async () => {
    const spec = { stages: [{ use: 'mute-words', with: { words: ['a', 'b', { regex: '(?<!x)y' }] } }] };
    expect(await validate(spec, erin.token)).toEqual({
      valid: false,
      errors: [
        {
          path: 'stages[0].with.words[2].regex',
          message:
            'regular expression refused: lookahead and lookbehind are not supported (they cannot run in linear time)',
        },
      ],
    });
  });

  it("refuses an uploaded plugin whose schema's pattern RE2 cannot run", async () => {
    const res = await upload(
      `definePlugin({ name: 'erin/look', version: '1.0.0', fields: ['text'],
        configSchema: { type: 'object', properties: { word: { type: 'string', pattern: '^(?!a)' } } },
        filter: (posts) => posts.map(() => null) });`,
      erin.token,
    );
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toMatch(
      /configSchema\.properties\.word\.pattern: regular expression refused: lookahead/,
    );
  });

  describe("a plugin's configSchema pattern", () => {
    beforeAll(async () => {
      ok(
        await upload(
          `definePlugin({ name: 'erin/anchored', version: '1.0.0', fields: ['text'],
            configSchema: { type: 'object', properties: { word: { type: 'string', pattern: '^(a+)+$' } }, required: ['word'] },
            filter: (posts) => posts.map(() => null) });`,
          erin.token,
        ),
      );
    });

    it('validates a hostile value at once (V8 took 6.7 s for 29 a’s, doubling per a)', async () => {
      const stage = (word: string) => ({ stages: [{ use: 'plugin:erin/anchored@1.0.0', with: { word } }] });
      expect(await validate(stage(`${'a'.repeat(31)}!`), erin.token)).toEqual({
        valid: false,
        errors: [{ path: 'stages[0].with.word', message: 'Invalid string: must match pattern /^(a+)+$/' }],
      });
      expect(await validate(stage('aaaa'), erin.token)).toEqual({ valid: true, errors: [] });
    }, 10_000);
  });
});
