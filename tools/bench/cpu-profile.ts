// Sums up a V8 .cpuprofile (node --cpu-prof; timeline-read.bench.ts --cpu-prof=DIR) by function:
// self time (the function itself on top of the stack) and inclusive time (anywhere on the stack,
// counted once per sample), as shares of the busy (non-idle) samples; then self time by package.
// Run: node --import @swc-node/register/esm-register tools/bench/cpu-profile.ts FILE.cpuprofile [top=40] [--from=S] [--to=S]
// --from/--to keep the samples between those seconds after the profile's start (the busy seconds
// are printed per 10 s first, to find the open loop's).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const option = (name: string) => {
  const value = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  return value === undefined ? undefined : Number(value);
};
const file = args[0];
if (!file) throw new Error('usage: cpu-profile.ts FILE.cpuprofile [top] [--from=S] [--to=S]');
const TOP = Number(args[1] ?? 40);
const from = option('from') ?? 0;
const to = option('to') ?? Infinity;

const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const IDLE = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);
const shortUrl = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '')
    .replace(/^.*?\/(apps|libs)\//, '$1/');
const key = (n: ProfileNode) =>
  `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
const packageOf = (n: ProfileNode): string => {
  const url = n.callFrame.url;
  if (!url) return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : '(native)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.startsWith('node:')) return url;
  const own = /\/((?:apps|libs)\/[^/]+(?:\/src\/[^/]+)?)/.exec(url);
  return own ? own[1]! : url;
};

/**
 * Where a sample's time goes, by the first frame from the top of its stack that one of these
 * matches (its package or file, or for code without a file, such as graphql-jit's compiled
 * queries, its name).
 */
const CATEGORIES: [string, RegExp][] = [
  ['logging (pino, pino-http, nestjs-pino)', /pino|sonic-boom|@pinojs|config\/src\/logging/],
  ['response JSON.stringify', /^prettyJSONStringify /],
  [
    'pg driver (rows, JSON.parse of jsonb)',
    / (pg|pg-protocol|pg-pool|pg-types|postgres-[a-z]+)\/|libs\/db\//,
  ],
  ['timeline reader, post model, cursors', /apps\/api\/src\/(timeline|posts)|libs\/(timeline|core)\//],
  ['graphql-jit execution', /graphql-jit|^\S*(Handler|Resolver\w*|__\w+) :|^query :/],
  ['graphql-js (scalars, variables)', /\/graphql\//],
  ['auth', /apps\/api\/src\/auth\//],
  ['metrics', /prom-client|metrics/],
  ['Apollo Server', /@apollo|@as-integrations|jit-execution|query-limits|input-checks|lru-cache/],
  ['Nest (guards, params, context)', /@nestjs|reflect-metadata|rxjs/],
  [
    'Express (router, body-parser, middleware)',
    /express|router|body-parser|raw-body|type-is|negotiator|content-type|path-to-regexp|mime|cors\.middleware|qs\/|iconv|whatwg|media-typer|on-finished|finalhandler/,
  ],
  ['node http', /node:_http|node:http/],
  ['socket / stream I/O', /node:net|stream_base_commons|node:internal\/streams|^writev :|^writeUtf8String :/],
  ['GC', /^\(garbage collector\)/],
];
/** The category of a stack (leaf first), and the frame that decided it. */
const categoryOf = (stack: ProfileNode[]): [string, string] => {
  for (const n of stack) {
    const k = key(n);
    for (const [name, pattern] of CATEGORIES) if (pattern.test(k)) return [name, k];
  }
  return ['other', key(stack[0]!)];
};
const categories = new Map<string, number>();
const deciding = new Map<string, Map<string, number>>();

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const packages = new Map<string, number>();
const perTen = new Map<number, number>();
let busy = 0;
let total = 0;
let gc = 0;
let t = 0;
const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i]!;
  const seconds = t / 1e6;
  const node = byId.get(profile.samples[i]!)!;
  const name = node.callFrame.functionName;
  const isBusy = name !== '(idle)';
  if (isBusy) perTen.set(Math.floor(seconds / 10), (perTen.get(Math.floor(seconds / 10)) ?? 0) + 1);
  if (seconds < from || seconds > to) continue;
  total++;
  if (!isBusy) continue;
  busy++;
  if (name === '(garbage collector)') gc++;
  add(self, key(node), 1);
  add(packages, packageOf(node), 1);
  const seen = new Set<string>();
  const stack: ProfileNode[] = [];
  for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
    const n = byId.get(id)!;
    stack.push(n);
    if (IDLE.has(n.callFrame.functionName) && n !== node) continue;
    const k = key(n);
    if (!seen.has(k)) {
      seen.add(k);
      add(inclusive, k, 1);
    }
  }
  const [category, frame] = categoryOf(stack);
  add(categories, category, 1);
  if (!deciding.has(category)) deciding.set(category, new Map());
  add(deciding.get(category)!, frame, 1);
}

const interval = (t / profile.samples.length / 1000).toFixed(2);
console.log(`${file}: ${profile.samples.length} samples every ~${interval} ms`);
console.log(`busy samples per 10 s: ${[...perTen.entries()].map(([s, n]) => `${s * 10}s:${n}`).join(' ')}`);
console.log(
  `window ${from}-${to} s: ${total} samples, ${busy} busy (${((busy / total) * 100).toFixed(1)}%), GC ${((gc / busy) * 100).toFixed(1)}% of busy\n`,
);
const pct = (n: number) => `${((n / busy) * 100).toFixed(1).padStart(5)}%`;
const print = (title: string, m: Map<string, number>, top: number) => {
  console.log(title);
  for (const [k, n] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${pct(n)}  ${k}`);
  console.log('');
};
print('by category (the first frame from the top of the stack that names one):', categories, 30);
for (const [category] of [...categories.entries()].sort((a, b) => b[1] - a[1]))
  print(`  ${category}, by the frame that decided it:`, deciding.get(category)!, 8);
print('self time by package / file:', packages, 30);
print('self time by function:', self, TOP);
print('inclusive time by function:', inclusive, TOP);
