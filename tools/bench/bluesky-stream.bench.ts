// The Bluesky stream consumer's hot path on one core: synthetic Jetstream v1 messages (a 2026-like
// mix, mostly likes and follows) through parse (parseJetstreamMessage) -> filter -> fan-out decision
// (FollowGraph.decide, follow graph updates applied), as BlueskyFanoutService runs them. The
// community: 1,000 members following 500 accounts each out of 200,000, more than Jetstream's 10,000
// DIDs, so the stream comes unfiltered and every event is judged here (the worst case). Baseline in
// the same run: a bare JSON.parse loop over the same messages. Goal: >= 50k events/s.
// Run: node --import @swc-node/register/esm-register tools/bench/bluesky-stream.bench.ts [events=400000]
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseJetstreamMessage } from '../../libs/connectors/bluesky/src/jetstream-subscriber.js';
import { FollowGraph } from '../../apps/worker/src/streams/follow-graph.js';

const EVENTS = Number(process.argv[2] ?? 400_000);
const MEMBERS = 1_000;
const FOLLOWS_EACH = 500;
const UNIVERSE = 200_000;
const ROUNDS = 5;

// A deterministic generator (mulberry32), so runs compare.
let seed = 42;
const rand = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const did = (i: number): string => `did:plc:${i.toString(36).padStart(24, 'a')}`;
const rkey = (): string =>
  `3l${Math.floor(rand() * 36 ** 11)
    .toString(36)
    .padStart(11, '2')}`;
const cid = 'bafyreihlyzw5mjdfv3gdyvmqf5pyq4r5a6jtdxbpgqwaz4l6zq5tbpbtle';

const members = Array.from({ length: MEMBERS }, (_, i) => did(i));
const everyone = Array.from({ length: UNIVERSE }, (_, i) => did(i));
const graph = new FollowGraph();
for (const [i, member] of members.entries()) {
  graph.setHomes(member, [`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`]);
  const follows = new Map<string, string>();
  for (let f = 0; f < FOLLOWS_EACH; f++) follows.set(rkey(), pick(everyone));
  graph.setFollows(member, follows);
}

const words =
  'the a of to and in is it you that was for on are with as I his they be at one have this from'.split(' ');
const text = (): string => Array.from({ length: 5 + Math.floor(rand() * 30) }, () => pick(words)).join(' ');
const postUri = (): string => `at://${pick(everyone)}/app.bsky.feed.post/${rkey()}`;
let clock = 1_765_000_000_000_000;

function message(): string {
  const r = rand();
  // Authors: members now and then, as the community's own activity shows up in the stream too.
  const author = rand() < 0.01 ? pick(members) : pick(everyone);
  const base = { did: author, time_us: (clock += 100), kind: 'commit' as const };
  const commit = (collection: string, operation: string, record?: object) => ({
    ...base,
    commit: {
      rev: '3lcxyz7yuxs2k',
      operation,
      collection,
      rkey: rkey(),
      ...(record ? { record: { $type: collection, ...record }, cid } : {}),
    },
  });
  const createdAt = new Date(clock / 1000).toISOString();
  let event: object;
  if (r < 0.55)
    event = commit('app.bsky.feed.like', 'create', { subject: { uri: postUri(), cid }, createdAt });
  else if (r < 0.71)
    event = commit('app.bsky.graph.follow', 'create', { subject: pick(everyone), createdAt });
  else if (r < 0.79)
    event = commit('app.bsky.feed.post', 'create', {
      text: text(),
      langs: ['en'],
      createdAt,
      ...(rand() < 0.4 ? { reply: { root: { uri: postUri(), cid }, parent: { uri: postUri(), cid } } } : {}),
      ...(rand() < 0.2
        ? {
            embed: {
              $type: 'app.bsky.embed.images',
              images: [
                {
                  alt: text(),
                  image: { $type: 'blob', ref: { $link: cid }, mimeType: 'image/jpeg', size: 123_456 },
                },
              ],
            },
          }
        : {}),
    });
  else if (r < 0.86)
    event = commit('app.bsky.feed.repost', 'create', { subject: { uri: postUri(), cid }, createdAt });
  else if (r < 0.93)
    event = commit(
      pick(['app.bsky.feed.like', 'app.bsky.graph.follow', 'app.bsky.feed.post', 'app.bsky.feed.repost']),
      'delete',
    );
  else if (r < 0.97)
    event = commit(pick(['app.bsky.graph.block', 'app.bsky.graph.listitem']), 'create', {
      subject: pick(everyone),
      createdAt,
    });
  else if (r < 0.99) event = commit('app.bsky.actor.profile', 'update', { displayName: text().slice(0, 30) });
  else
    event = {
      ...base,
      kind: 'identity',
      identity: { did: author, handle: 'someone.bsky.social', seq: 1, time: createdAt },
    };
  return JSON.stringify(event);
}

const messages = Array.from({ length: EVENTS }, message);
const bytes = messages.reduce((n, m) => n + m.length, 0);

function bare(): number {
  let n = 0;
  for (const m of messages) if ((JSON.parse(m) as { kind?: string }).kind === 'commit') n++;
  return n;
}

const decided = {
  attach: 0,
  delete: 0,
  follow: 0,
  unfollow: 0,
  block: 0,
  unblock: 0,
  'lists-changed': 0,
  none: 0,
};
function consumer(): number {
  let targets = 0;
  for (const m of messages) {
    const event = parseJetstreamMessage(m);
    if (!event) continue;
    const decision = graph.decide(event);
    if (decision === null) {
      decided.none++;
      continue;
    }
    decided[decision.type]++;
    if (decision.type === 'attach') targets += decision.sourceIds.length;
    else if (decision.type === 'follow' || decision.type === 'unfollow') graph.apply(decision);
  }
  return targets;
}

function rate(fn: () => number): { perSecond: number; ms: number } {
  fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  const ms = times.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
  return { perSecond: (EVENTS / ms) * 1000, ms };
}

console.log(
  `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
);
console.log(
  `${EVENTS} messages, ${(bytes / EVENTS).toFixed(0)} bytes each on average; ${MEMBERS} members × ${FOLLOWS_EACH} follows, ${graph.wantedDids().length} watched DIDs`,
);
const baseline = rate(bare);
const measured = rate(consumer);
const per = (n: number) => `${Math.round(n).toLocaleString('en')} events/s`;
console.log(
  `baseline  JSON.parse loop:                    ${per(baseline.perSecond)} (median of ${ROUNDS}, ${baseline.ms.toFixed(0)} ms)`,
);
console.log(
  `consumer  parse -> filter -> fan-out decision: ${per(measured.perSecond)} (median of ${ROUNDS}, ${measured.ms.toFixed(0)} ms)`,
);
console.log(
  `          = ${(baseline.perSecond / measured.perSecond).toFixed(2)}× the baseline's time; goal >= 50,000 events/s`,
);
const rounds = ROUNDS + 1;
console.log(
  `decisions per pass: ${Object.entries(decided)
    .map(([k, v]) => `${k} ${Math.round(v / rounds)}`)
    .join(', ')}`,
);
