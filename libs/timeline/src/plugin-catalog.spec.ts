import { afterAll, describe, expect, it, jest } from '@jest/globals';
import type { Config } from '@tributary/config';
import type { Plugin, PrismaService } from '@tributary/db';
import { PluginSandbox } from '@tributary/pipeline';
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

// The catalog over a table held in memory (`plugin.findMany` answers every row, which the catalog
// must narrow down itself).
let table: Plugin[] = [];
const db = {
  client: {
    plugin: {
      findMany: () => Promise.resolve(table),
      findUnique: ({ where }: { where: { id: string } }) =>
        Promise.resolve(table.find((row) => row.id === where.id) ?? null),
    },
  },
} as unknown as PrismaService;
/** A spec whose stages use these plugins (`name@version`). */
const using = (...plugins: string[]) => ({ name: 'p', stages: plugins.map((p) => ({ use: `plugin:${p}` })) });
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
    const resolve = await catalog.resolverFor('user-1', using('u/flag@1', 'community/no-engagement-bait@1'));
    expect(await resolve('u/flag', '1')!.run([makePost({ text: 'x' })], {}, context)).toEqual({
      ok: true,
      verdicts: [{ action: 'warn', reason: 'flagged' }],
      scores: null,
    });
    const bait = resolve('community/no-engagement-bait', '1');
    expect(
      await bait!.run([makePost({ text: 'Like if you agree!' })], { phrases: [], action: 'hide' }, context),
    ).toEqual({
      ok: true,
      verdicts: [{ action: 'hide', reason: 'engagement bait' }],
      scores: null,
    });
  });

  it("frees a deleted upload's isolate the next time its owner's plugins are resolved", async () => {
    table = [row({})];
    const before = (await catalog.resolverFor('user-1', using('u/flag@1.0.0')))('u/flag', '1.0.0')!;
    table = [];
    expect((await catalog.resolverFor('user-1', using('u/flag@1.0.0')))('u/flag', '1.0.0')).toBeUndefined();
    expect(await before.run([makePost({ text: 'x' })], {}, context)).toEqual({
      ok: false,
      error: 'not loaded',
    });
  });

  it('loads only the plugins the pipeline names, each once', async () => {
    const upload = (n: number, version = '1.0.0') =>
      row({
        id: `00000000-0000-4000-8000-${String(n).padStart(6, '0')}${version.replaceAll('.', '').padStart(6, '0')}`,
        name: `u/p${n}`,
        version,
        code: CODE.replace('u/flag', `u/p${n}`).replace("'1.0.0'", `'${version}'`),
      });
    table = [upload(1), upload(2), upload(3), upload(3, '1.1.0'), upload(4)];
    const loads = jest.spyOn(PluginSandbox.prototype, 'load');
    try {
      const resolve = await catalog.resolverFor('user-1', using('u/p2@1.0.0', 'u/p3@1'));
      expect(
        loads.mock.calls.map(([, code]) =>
          /name: '([^']+)', version: '([^']+)'/.exec(code)!.slice(1).join('@'),
        ),
      ).toEqual(['u/p2@1.0.0', 'u/p3@1.1.0']);
      expect(resolve('u/p3', '1')!.version).toBe('1.1.0');
      expect(resolve('u/p1', '1.0.0')).toBeUndefined();
      await catalog.resolverFor('user-1', using('u/p1@1.0.0', 'u/p2@1.0.0'));
      expect(loads).toHaveBeenCalledTimes(3);
      // A spec that does not parse names nothing (it does not compile either).
      await catalog.resolverFor('user-1', { stages: 'plugin:u/p4@1.0.0' });
      expect(loads).toHaveBeenCalledTimes(3);
    } finally {
      loads.mockRestore();
    }
  });

  it('checks uploaded code without keeping it', async () => {
    expect(await catalog.inspect('user-1', CODE)).toMatchObject({
      ok: true,
      name: 'u/flag',
      version: '1.0.0',
    });
    expect(await catalog.inspect('user-1', 'for (;;) {}')).toEqual({ ok: false, error: 'timeout' });
  });
});
