import { describe, expect, it } from '@jest/globals';
import { PluginContractError, checkFilterOutput, checkScoreOutput, definePlugin } from './plugin.js';
import { makePost, runPlugin } from './testing.js';

const echo = definePlugin<{ word: string }>({
  name: 'scope/echo',
  version: '1.0.0-beta.1',
  configSchema: { type: 'object', properties: { word: { type: 'string', default: 'echo' } }, required: [] },
  filter: (posts, config) =>
    posts.map((p) => (p.text.includes(config.word) ? { action: 'warn', reason: config.word } : 'keep')),
  score: (posts) => posts.map((p) => p.text.length / 100),
});

describe('definePlugin', () => {
  it('returns a valid definition unchanged', () => {
    expect(echo.name).toBe('scope/echo');
  });

  it.each([
    [{ name: 'Bad', version: '1.0.0', configSchema: {}, filter: () => [] }, /^name: /],
    [{ name: 'ok', version: 'one', configSchema: {}, filter: () => [] }, /^version: /],
    [{ name: 'ok', version: '1.0.0', configSchema: [], filter: () => [] }, /^configSchema: /],
    [{ name: 'ok', version: '1.0.0', configSchema: {} }, /needs a filter or a score/],
    [{ name: 'ok', version: '1.0.0', configSchema: {}, score: 3 }, /^score: /],
  ])('rejects an invalid definition %#', (definition, message) => {
    expect(() => definePlugin(definition as never)).toThrow(message);
    expect(() => definePlugin(definition as never)).toThrow(PluginContractError);
  });
});

describe('runPlugin (test helper)', () => {
  it('validates config with defaults and runs both hooks over the batch', () => {
    const posts = [makePost({ text: 'echo echo' }), makePost({ text: 'quiet' })];
    expect(runPlugin(echo, posts)).toEqual({
      verdicts: [{ action: 'warn', reason: 'echo' }, null],
      scores: [0.09, 0.05],
    });
    expect(runPlugin(echo, posts, { word: 'quiet' }).verdicts).toEqual([
      null,
      { action: 'warn', reason: 'quiet' },
    ]);
  });

  it('rejects config the schema refuses, naming the path', () => {
    expect(() => runPlugin(echo, [], { word: 3 })).toThrow(
      'invalid config: with.word: Invalid input: expected string, received number',
    );
  });
});

describe('output checks', () => {
  it('accept null, undefined, "keep" and verdict objects; reject the rest', () => {
    expect(checkFilterOutput([null, undefined, 'keep', { action: 'hide', reason: 'r' }], 4)).toEqual([
      null,
      null,
      null,
      { action: 'hide', reason: 'r' },
    ]);
    expect(() => checkFilterOutput([{ action: 'delete', reason: 'r' }], 1)).toThrow('filter verdict [0]');
    expect(() => checkFilterOutput('nope', 1)).toThrow('filter must return an array');
    expect(() => checkFilterOutput([], 1)).toThrow('filter returned 0 verdicts for 1 posts');
    expect(checkScoreOutput([1, -2.5], 2)).toEqual([1, -2.5]);
    expect(() => checkScoreOutput([Number.NaN], 1)).toThrow('score [0]: expected a finite number');
  });
});

describe('makePost', () => {
  it('builds complete posts for either network, merging author overrides', () => {
    const post = makePost({ network: 'MASTODON', text: 'hi', author: { handle: 'bob@example.social' } });
    expect(post).toMatchObject({
      network: 'MASTODON',
      text: 'hi',
      richText: { segments: [{ type: 'text', text: 'hi' }] },
    });
    expect(post.author).toMatchObject({
      network: 'MASTODON',
      handle: 'bob@example.social',
      networkId: 'https://example.social/users/alice',
    });
    expect(makePost().uri).not.toBe(makePost().uri);
  });
});

describe('fields and projectPost', () => {
  const textOnly = definePlugin({
    name: 'text-only',
    version: '1.0.0',
    configSchema: { type: 'object' },
    fields: ['text'],
    score: (posts) => posts.map((p) => (p.author === undefined ? 1 : 0)),
  });
  it('gives plugins only their declared fields, in tests as in the sandbox', () => {
    expect(runPlugin(textOnly, [makePost()]).scores).toEqual([1]);
  });
  it('projects a post to the plugin view without raw or rich text', async () => {
    const { projectPost } = await import('./plugin.js');
    const view = projectPost(makePost({ text: 'x', raw: { huge: true } }));
    expect(Object.keys(view)).not.toContain('raw');
    expect(Object.keys(view)).not.toContain('richText');
    expect(view.author).toEqual({
      network: 'BLUESKY',
      networkId: 'did:plc:alice',
      handle: 'alice.test',
      displayName: 'Alice',
      bot: false,
    });
  });
  it('rejects unknown fields', () => {
    expect(() =>
      definePlugin({
        name: 'x',
        version: '1.0.0',
        configSchema: {},
        fields: ['raw' as never],
        score: () => [],
      }),
    ).toThrow(/^fields: /);
  });
});
