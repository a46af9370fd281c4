// A home timeline with one of everything the normalizer must handle, created through the public
// API of the reference network: a viewer follows alice and bob, who post, reply, repost, quote,
// attach images, link cards and video, self-label, and get labelled by a labeler.
import { RichText } from '@atproto/api';
import type { BlueskyNetworkClient, TestBlueskyAccount } from '../bluesky-network.js';

/** A 4×3 PNG; real image bytes so the PDS accepts the blob as an image. */
const PNG_4X3 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEElEQVR4nGP4z8AARww4OQD1MQv1NXv7ggAAAABJRU5ErkJggg==',
  'base64',
);

export interface Ref {
  uri: string;
  cid: string;
}

export interface SeededTimeline {
  viewer: TestBlueskyAccount;
  alice: TestBlueskyAccount;
  bob: TestBlueskyAccount;
  posts: {
    richText: Ref;
    reply: Ref;
    repost: Ref; // the repost record; it brings `richText` into the timeline again
    quote: Ref;
    image: Ref;
    linkCard: Ref;
    selfLabelled: Ref;
    labellerLabelled: Ref;
    recordWithMedia: Ref;
    video: Ref;
  };
  /** Text with a mention, an emoji with a skin-tone modifier, a link and a hashtag. */
  richTextText: string;
}

export async function seedTimeline(net: BlueskyNetworkClient): Promise<SeededTimeline> {
  const [viewer, alice, bob] = await Promise.all([
    net.createAccount('viewer'),
    net.createAccount('alice'),
    net.createAccount('bob'),
  ]);
  await viewer.agent.follow(alice.did);
  await viewer.agent.follow(bob.did);
  // Labels of a labeler reach a viewer only if they subscribe to it.
  await viewer.agent.addLabeler(net.info.labelerDid);

  const rt = new RichText({
    text: `Hi @${bob.handle} 👋🏽 read https://example.com/a?b=1 and #Tributary\nbye ✨`,
  });
  await rt.detectFacets(alice.agent);
  const richTextText = rt.text;
  const richText = await alice.agent.post({ text: rt.text, facets: rt.facets, langs: ['en', 'de'] });
  const reply = await bob.agent.post({
    text: 'A reply to alice',
    reply: { root: richText, parent: richText },
  });
  const repost = await bob.agent.repost(richText.uri, richText.cid);
  const quote = await bob.agent.post({
    text: 'Quoting alice',
    embed: { $type: 'app.bsky.embed.record', record: { uri: richText.uri, cid: richText.cid } },
  });
  const blob = (await alice.agent.uploadBlob(PNG_4X3, { encoding: 'image/png' })).data.blob;
  const image = await alice.agent.post({
    text: 'A picture',
    embed: {
      $type: 'app.bsky.embed.images',
      images: [{ image: blob, alt: 'A red rectangle', aspectRatio: { width: 4, height: 3 } }],
    },
  });
  const linkCard = await alice.agent.post({
    text: 'Worth reading',
    embed: {
      $type: 'app.bsky.embed.external',
      external: {
        uri: 'https://example.com/article',
        title: 'An article',
        description: 'What it is about',
        thumb: blob,
      },
    },
  });
  const selfLabelled = await alice.agent.post({
    text: 'Graphic content ahead',
    labels: { $type: 'com.atproto.label.defs#selfLabels', values: [{ val: 'graphic-media' }] },
  });
  const labellerLabelled = await bob.agent.post({ text: 'Something a labeler flags' });
  await net.label(labellerLabelled, 'rude');
  const bobBlob = (await bob.agent.uploadBlob(PNG_4X3, { encoding: 'image/png' })).data.blob;
  const recordWithMedia = await bob.agent.post({
    text: 'Quote with a picture',
    embed: {
      $type: 'app.bsky.embed.recordWithMedia',
      record: { $type: 'app.bsky.embed.record', record: { uri: image.uri, cid: image.cid } },
      media: { $type: 'app.bsky.embed.images', images: [{ image: bobBlob, alt: 'Another rectangle' }] },
    },
  });
  // The PDS stores any blob; the AppView renders a video view (playlist, thumbnail) from the record.
  const videoBlob = (
    await alice.agent.uploadBlob(Buffer.from('not really an mp4'), { encoding: 'video/mp4' })
  ).data.blob;
  const video = await alice.agent.post({
    text: 'A video',
    embed: {
      $type: 'app.bsky.embed.video',
      video: videoBlob,
      alt: 'A short clip',
      aspectRatio: { width: 16, height: 9 },
    },
  });
  await net.processAll();
  return {
    viewer,
    alice,
    bob,
    posts: {
      richText,
      reply,
      repost,
      quote,
      image,
      linkCard,
      selfLabelled,
      labellerLabelled,
      recordWithMedia,
      video,
    },
    richTextText,
  };
}
