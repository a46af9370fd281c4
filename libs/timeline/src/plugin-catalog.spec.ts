import { afterAll, describe, expect, it } from '@jest/globals';
import type { Config } from '@tributary/config';
import type { Plugin, PrismaService } from '@tributary/db';
import { makePost } from '@tributary/plugin-sdk';
import { PluginCatalog } from './plugin-catalog.js';

const CODE = `definePlugin({ name: 'u/flag', version: '1.0.0', configSchema: { type: 'object' }, fields: ['text'],
  filter: (posts) => posts.map(() => ({ action: 'warn', reason: 'flagged' })) });`;

function row(overrides: Partial<Plugin>): Plugin {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    ownerId: 'user-1',
    name: 'u/flag',
    version: '1.0.0',
    kind: 'SANDBOXED',
    code: CODE,
    packageName: null,
    configSchema: { type: 'object' },
    createdAt: new Date(),
    ...overrides,
  };
}

// The catalog over a table held in memory (only `plugin.findMany` is used).
let table: Plugin[] = [];
const db = { client: { plugin: { findMany: () => Promise.resolve(table) } } } as unknown as PrismaService;
const catalog = new PluginCatalog(db, { PLUGIN_CPU_MS: 2000, PLUGIN_MEMORY_MB: 16 } as Config);
afterAll(() => catalog.onApplicationShutdown());
const context = { now: '2026-11-23T00:00:00.000Z' };

describe('PluginCatalog', () => {
  it('resolves uploads (sandboxed) and trusted packages by name and version', async () => {
    table = [
      row({}),
      row({
        id: '00000000-0000-4000-8000-000000000002',
        ownerId: null,
        kind: 'TRUSTED',
        name: 'community/no-engagement-bait',
        code: null,
        packageName: '@tributary/plugins-no-engagement-bait',
      }),
    ];
    const resolve = await catalog.resolverFor('user-1');
    expect(await resolve('u/flag', '1')!.run([makePost({ text: 'x' })], {}, context)).toMatchObject({
      ok: true,
      verdicts: [{ action: 'warn', reason: 'flagged' }],
      scores: null,
    });
    const bait = resolve('community/no-engagement-bait', '1');
    expect(
      await bait!.run([makePost({ text: 'Like if you agree!' })], { phrases: [], action: 'hide' }, context),
    ).toMatchObject({
      ok: true,
      verdicts: [{ action: 'hide', reason: 'engagement bait' }],
      scores: null,
    });
  });

  it("frees a deleted upload's isolate the next time its owner's plugins are resolved", async () => {
    table = [row({})];
    const before = (await catalog.resolverFor('user-1'))('u/flag', '1.0.0')!;
    table = [];
    expect((await catalog.resolverFor('user-1'))('u/flag', '1.0.0')).toBeUndefined();
    expect(await before.run([makePost({ text: 'x' })], {}, context)).toMatchObject({
      ok: false,
      error: 'not loaded',
    });
  });

  it('checks uploaded code without keeping it', async () => {
    expect(await catalog.inspect(CODE)).toMatchObject({ ok: true, name: 'u/flag', version: '1.0.0' });
    expect(await catalog.inspect('for (;;) {}')).toEqual({ ok: false, error: 'timeout' });
  });
});
