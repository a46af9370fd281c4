// Derives the malformed-record fixtures from the recorded timeline: each is a real AppView entry
// with one thing broken the way a buggy AppView, a hostile PDS or a newer lexicon could break it.
// Run: node --import @swc-node/register/esm-register libs/connectors/bluesky/test/make-malformed-fixtures.ts
import { readFileSync, writeFileSync } from 'node:fs';

type Entry = {
  post: Record<string, unknown> & { record: Record<string, unknown>; author: Record<string, unknown> };
  reason?: Record<string, unknown>;
};
const recorded = JSON.parse(readFileSync(new URL('./fixtures/timeline.json', import.meta.url), 'utf8')) as {
  feed: Entry[];
};
const plain = recorded.feed.find((e) => e.post.record.text === 'A reply to alice') as Entry;
const withImage = recorded.feed.find((e) => e.post.record.text === 'A picture') as Entry;
const repost = recorded.feed.find((e) => e.reason) as Entry;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const mutate = (base: Entry, fn: (e: Entry) => void): Entry => {
  const e = clone(base);
  fn(e);
  return e;
};

const cases = [
  { name: 'not an object', expect: 'feedViewPost is not an object', entry: 'oops' },
  { name: 'no post', expect: 'post is not an object', entry: { reason: null } },
  { name: 'missing uri', expect: 'post.uri is missing', entry: mutate(plain, (e) => delete e.post.uri) },
  {
    name: 'uri not at://',
    expect: 'post.uri is not an at:// record URI',
    entry: mutate(plain, (e) => (e.post.uri = 'https://example.com/x')),
  },
  {
    name: 'like record in a post slot',
    expect: 'not a post',
    entry: mutate(
      plain,
      (e) => (e.post.uri = String(e.post.uri).replace('app.bsky.feed.post', 'app.bsky.feed.like')),
    ),
  },
  {
    name: 'author DID mismatch',
    expect: 'does not match',
    entry: mutate(plain, (e) => (e.post.author.did = 'did:plc:someoneelse')),
  },
  {
    name: 'record of another type',
    expect: 'post.record.$type is not app.bsky.feed.post',
    entry: mutate(plain, (e) => (e.post.record.$type = 'app.bsky.feed.like')),
  },
  {
    name: 'text not a string',
    expect: 'post.record.text is not a string',
    entry: mutate(plain, (e) => (e.post.record.text = 42)),
  },
  {
    name: 'invalid createdAt',
    expect: 'post.record.createdAt is not a valid datetime',
    entry: mutate(plain, (e) => (e.post.record.createdAt = 'yesterday')),
  },
  { name: 'missing cid', expect: 'post.cid is missing', entry: mutate(plain, (e) => delete e.post.cid) },
  {
    name: 'broken reply ref',
    expect: 'post.record.reply.parent.uri',
    entry: mutate(plain, (e) => ((e.post.record.reply as Record<string, unknown>).parent = { uri: 'nope' })),
  },
  {
    name: 'image without fullsize',
    expect: 'embed.images[0].fullsize',
    entry: mutate(
      withImage,
      (e) =>
        delete ((e.post.embed as { images: Record<string, unknown>[] }).images[0] as Record<string, unknown>)
          .fullsize,
    ),
  },
  {
    name: 'repost by nobody',
    expect: 'reason.by is not an object',
    entry: mutate(repost, (e) => delete (e.reason as Record<string, unknown>).by),
  },
];

writeFileSync(new URL('./fixtures/malformed.json', import.meta.url), JSON.stringify(cases, null, 2) + '\n');
console.log(`wrote ${cases.length} malformed cases`);
