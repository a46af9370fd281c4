// Benchmark: the engine bench's pipeline (pipeline-engine.bench.ts, same 50,000 synthetic posts in
// batches of 500) with a filter-list stage subscribed to lists of 100,000 entries, against the same
// pipeline without it, measured in the same run. Also what a list of that size costs to parse and
// compile (once per stored version and worker process). Prints figures, asserts nothing.
//   node --import @swc-node/register/esm-register tools/bench/filter-lists.bench.ts [posts] [lists] [rounds]
// The machine's own speed wanders by ±25% over seconds (2 shared cores): the pipelines run in many
// short rounds, each round every pipeline once in turn (the order reversed every other round), and
// the ratio is the median of the rounds' own ratios: each compares runs made seconds apart. The
// best of a few long runs each, compared before, took one pipeline's lucky minute against the other's.
import { CompiledFilterList, compilePipeline, parseTributaryList } from '@tributary/pipeline';
import type { Post } from '@tributary/core';
import type { Candidate, CompiledPipeline } from '@tributary/pipeline';
import { machine, makeCandidates, makePosts, rng } from './pipeline-fixtures.js';

const TOTAL = Number(process.argv[2] ?? 200_000);
const LISTS = Number(process.argv[3] ?? 1);
const ROUNDS = Number(process.argv[4] ?? 21);
const BATCH = 500;
const POOL = 50_000;

// The engine bench's pipeline, unchanged.
const BASE_STAGES = [
  {
    use: 'mute-words',
    with: {
      words: [
        'crypto',
        'election',
        '東京',
        'spoilers',
        '🚀',
        'nft',
        'giveaway',
        'web3',
        'climate change',
        'hot take',
      ],
    },
  },
  { use: 'mute-authors', with: { authors: Array.from({ length: 50 }, (_, i) => `did:plc:author${i * 40}`) } },
  { use: 'language', with: { allow: ['en', 'de', 'ja'] } },
  { use: 'hide-reposts', with: { except: ['did:plc:friend'] } },
  { use: 'hide-replies' },
  { use: 'content-warning', with: { action: 'warn' } },
  { use: 'ai-generated', with: { action: 'hide' } },
  { use: 'score/recency', with: { halfLifeHours: 6 } },
  { use: 'score/engagement', weight: 0.3 },
];

/** A list as communities write them: mostly accounts of both networks, then domains, tags, words. */
function makeList(seed: number): string {
  const r = rng(seed);
  const word = (n: number) =>
    Array.from({ length: n }, () => String.fromCharCode(97 + Math.floor(r() * 26))).join('');
  // A few entries the bench's posts meet, so the stage also hides (authors, an instance, tags, words).
  const lines = [
    `! Title: bench list ${seed}`,
    '! Expires: 1 day',
    ...Array.from({ length: 20 }, (_, i) => `did:plc:author${i * 97 + seed}`),
    '@u17@example.social',
    '#caturday',
    'word winter morning',
  ];
  for (let i = 0; i < 50_000 - 23; i++) lines.push(`did:plc:${word(24)}`);
  for (let i = 0; i < 15_000; i++) lines.push(`@${word(8)}@${word(6)}.social`);
  for (let i = 0; i < 5_000; i++) lines.push(`@${word(10)}.bsky.social`);
  for (let i = 0; i < 10_000; i++)
    lines.push(`domain ${word(9)}.${['com', 'net', 'social', 'example'][i % 4]}`);
  for (let i = 0; i < 10_000; i++) lines.push(`#${word(7)}`);
  for (let i = 0; i < 9_000; i++) lines.push(`word ${word(6 + (i % 6))}`);
  for (let i = 0; i < 1_000; i++) lines.push(`word ${word(5)} ${word(6)}`);
  return lines.join('\n');
}

const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
};

async function run(pipeline: CompiledPipeline, batches: Candidate[][], n: number): Promise<number> {
  const t0 = process.cpuUsage();
  for (let done = 0, b = 0; done < n; done += BATCH, b = (b + 1) % batches.length)
    await pipeline.run(batches[b]!);
  return cpuSeconds(t0);
}

async function hiddenShare(pipeline: CompiledPipeline, batches: Candidate[][]): Promise<[number, number]> {
  let hidden = 0;
  let byList = 0;
  for (const batch of batches)
    for (const r of await pipeline.run(batch)) {
      if (r.hidden) hidden++;
      if (r.decisions.some((d) => d.stage === 'filter-list' && d.verdict === 'hide')) byList++;
    }
  return [hidden / POOL, byList / POOL];
}

async function main(): Promise<void> {
  // Through JSON, as the worker reads posts from the database: flat strings. The fixtures' strings
  // are built by concatenation (V8 keeps them as ropes), which made every hash lookup of an author
  // id walk the rope; both pipelines read the same posts.
  const candidates = makeCandidates(JSON.parse(JSON.stringify(makePosts(POOL))) as Post[]);
  const batches: Candidate[][] = [];
  for (let i = 0; i < POOL; i += BATCH) batches.push(candidates.slice(i, i + BATCH));

  const texts = Array.from({ length: LISTS }, (_, i) => makeList(i + 1));
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = process.cpuUsage();
  const contents = texts.map((text) => parseTributaryList(text));
  const parseS = cpuSeconds(t0);
  const t1 = process.cpuUsage();
  const lists = contents.map((content, i) => {
    const id = `0000000${i}-0000-4000-8000-000000000000`;
    return new CompiledFilterList({ id, title: `bench ${i}` }, content);
  });
  const compileS = cpuSeconds(t1);
  const heapAfter = process.memoryUsage().heapUsed;
  const byId = new Map(lists.map((l) => [l.identity.id, l]));

  const without = compilePipeline({ name: 'bench', stages: BASE_STAGES });
  const listStage = { use: 'filter-list', with: { lists: lists.map((l) => ({ id: l.identity.id })) } };
  const resolve = { filterLists: (id: string) => byId.get(id) };
  // Where subscribeFilterList puts it: after the member's own filters (appended to the spec)…
  const withLists = compilePipeline({ name: 'bench', stages: [...BASE_STAGES, listStage] }, resolve);
  // …and, for comparison, before them: every post goes through the lists.
  const listsFirst = compilePipeline({ name: 'bench', stages: [listStage, ...BASE_STAGES] }, resolve);
  const [baseHidden] = await hiddenShare(without, batches);
  const [listHidden, byList] = await hiddenShare(withLists, batches);
  const [, byListFirst] = await hiddenShare(listsFirst, batches);

  await run(without, batches, 200_000); // warm-up (JIT)
  await run(withLists, batches, 200_000);
  await run(listsFirst, batches, 200_000);
  const pipelines = [without, withLists, listsFirst];
  const seconds: number[][] = pipelines.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [0, 1, 2] : [2, 1, 0];
    for (const p of order) seconds[p]!.push(await run(pipelines[p]!, batches, TOTAL));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const quartiles = (xs: number[]): [number, number] => {
    const sorted = [...xs].sort((a, b) => a - b);
    return [sorted[Math.floor(sorted.length / 4)]!, sorted[Math.floor((3 * sorted.length) / 4)]!];
  };
  const ratios = (p: number) => seconds[p]!.map((s, round) => s / seconds[0]![round]!);
  const [baseS, listS, firstS] = seconds.map(median) as [number, number, number];
  const listRatio = median(ratios(1));
  const [listLow, listHigh] = quartiles(ratios(1));
  const firstRatio = median(ratios(2));
  const rate = (s: number) => `${(TOTAL / s / 1e6).toFixed(2)}M posts/s`;
  const perPost = (s: number) => `${((s / TOTAL) * 1e9).toFixed(0)} ns/post`;
  const entries = contents.reduce((n, c) => n + c.rules.length, 0);
  console.log(`machine: ${machine()}`);
  console.log(
    `lists: ${LISTS} × ${contents[0]!.rules.length.toLocaleString('en')} entries (50k DIDs, 15k fediverse addresses, 5k handles, 10k domains, 10k tags, 10k words and phrases); parse ${(parseS * 1000).toFixed(0)} ms, compile ${(compileS * 1000).toFixed(0)} ms, heap +${((heapAfter - heapBefore) / 2 ** 20).toFixed(0)} MiB for ${entries.toLocaleString('en')} entries`,
  );
  console.log(
    `pipeline: the engine bench's ${BASE_STAGES.length - 1} stages + recency; batches of ${BATCH}; ${TOTAL.toLocaleString('en')} posts per run, ${ROUNDS} rounds (medians); hidden ${(100 * baseHidden).toFixed(1)}% without lists, ${(100 * listHidden).toFixed(1)}% with (${(100 * byList).toFixed(1)}% by a list)`,
  );
  console.log(`without lists: ${baseS.toFixed(3)} s CPU  ${rate(baseS)}  (${perPost(baseS)})`);
  console.log(
    `with lists, after the member's filters (where subscribing adds them): ${listS.toFixed(3)} s CPU  ${rate(listS)}  (${perPost(listS)})`,
  );
  console.log(
    `ratio with / without, median of the rounds' own: ${listRatio.toFixed(2)}× (quartiles ${listLow.toFixed(2)}–${listHigh.toFixed(2)}×; goal ≤ 1.5×): ${listRatio <= 1.5 ? 'met' : 'NOT met'}`,
  );
  console.log(
    `with lists before every other filter (${(100 * byListFirst).toFixed(1)}% hidden by a list): ${firstS.toFixed(3)} s CPU  ${rate(firstS)}  (${perPost(firstS)}; ${firstRatio.toFixed(2)}×)`,
  );
}

await main();
