import { describe, expect, it } from '@jest/globals';
import { definePlugin } from '@tributary/plugin-sdk';
import { pluginResolver, trustedPlugin } from '../plugin-runner.js';
import { post, verdicts } from '../spec-helpers.js';

const image = (altText: string | null) => ({
  type: 'image' as const,
  url: 'https://x/1.jpg',
  previewUrl: null,
  altText,
  width: null,
  height: null,
  focus: null,
  blurhash: null,
});

describe('ai-generated', () => {
  const posts = [
    post({ labels: [{ value: 'ai-generated', source: 'did:plc:labeler', action: null }] }),
    post({ hashtags: ['AIart'] }),
    post({ text: 'New wallpaper, made with AI' }),
    post({ text: 'sunset', media: [image('AI-generated image of a sunset')] }),
    post({ text: 'I said it again: paint is fun', hashtags: ['art'] }),
    post({ network: 'MASTODON', text: 'Generated with Midjourney v7' }),
  ];

  it('hides labelled, tagged and declared AI content on both networks, and nothing else', async () => {
    expect(await verdicts({ use: 'ai-generated' }, posts)).toEqual([
      'hide:AI-generated: label ai-generated',
      'hide:AI-generated: hashtag',
      'hide:AI-generated: declared',
      'hide:AI-generated: declared',
      'keep',
      'hide:AI-generated: declared',
    ]);
  });

  it('can warn instead, and ignore disclosures', async () => {
    expect(
      await verdicts({ use: 'ai-generated', with: { action: 'warn', disclosures: false } }, posts),
    ).toEqual([
      'warn:AI-generated: label ai-generated',
      'warn:AI-generated: hashtag',
      'keep',
      'keep',
      'keep',
      'keep',
    ]);
  });

  it('asks a classifier plugin and acts above its threshold', async () => {
    const classifier = trustedPlugin(
      definePlugin<{ bias: number }>({
        name: 'ai-detector',
        version: '2.0.0',
        configSchema: { type: 'object', properties: { bias: { type: 'number', default: 0 } } },
        score: (batch, config) =>
          batch.map((p) => Math.min(1, (p.text.includes('suspicious') ? 0.95 : 0.1) + config.bias)),
      }),
    );
    const stage = {
      use: 'ai-generated',
      with: { disclosures: false, classifier: { plugin: 'ai-detector@2.0.0', threshold: 0.9 } },
    };
    const batch = [post({ text: 'a suspicious picture' }), post({ text: 'my cat' })];
    const plugins = pluginResolver([classifier]);
    expect(await verdicts(stage, batch, { plugins })).toEqual(['hide:AI-generated: classifier 0.95', 'keep']);
    const biased = {
      ...stage,
      with: { ...stage.with, classifier: { ...stage.with.classifier, with: { bias: 0.85 } } },
    };
    expect(await verdicts(biased, batch, { plugins })).toEqual([
      'hide:AI-generated: classifier 1.00',
      'hide:AI-generated: classifier 0.95',
    ]);
    // A missing classifier is recorded, not fatal; onError decides.
    expect(await verdicts(stage, batch)).toEqual(['keep', 'keep']);
    expect(await verdicts({ ...stage, onError: 'hide' }, batch)).toEqual([
      'hide:plugin error: classifier ai-detector@2.0.0 not installed',
      'hide:plugin error: classifier ai-detector@2.0.0 not installed',
    ]);
  });
});
