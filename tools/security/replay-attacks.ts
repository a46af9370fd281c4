// Replays the attacks of the hardening issue against a running Tributary, as a member of a shared
// instance (or anyone on the internet) would try them, and prints tried / refused / contained / broken
// per class. For operators checking a deployment; the regression tests of each case are in the suite.
//
//   npm run security:replay -- --url http://localhost:3000 --admin-token <an admin's bearer token> [--pid <API pid>] [--only <class regex>]
//
// It signs up two members through invites (an attacker and a bystander) and leaves them behind; it
// creates pipelines and plugins as the attacker. With --fake-mastodon it also starts two Mastodon
// servers on this machine (the test suite's fake): the bystander's honest one and the attacker's
// hostile one, which claims the URIs of the honest one's statuses (class 2) and gives the attacker
// posts for the regexes of class 1 to run over. The instance must then accept them as members'
// servers: MASTODON_ALLOWED_HOSTS=127.0.0.1 and MASTODON_ALLOW_HTTP=true (a test deployment only). Run it against a test deployment, not a busy one: some
// cases load the service on purpose. Classes that need access the script does not have (Redis) say so.
//
// Verdicts: "refused" — a clear error (4xx or a GraphQL error with a client code); "contained" — accepted,
// answered promptly, nothing else slowed; "broken" — a 5xx, INTERNAL_SERVER_ERROR, a reset connection,
// no answer within the case's deadline, or the bystander's requests slowed past STALL_MS meanwhile.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://localhost:3000' },
    'admin-token': { type: 'string' },
    only: { type: 'string' },
    pid: { type: 'string' },
    'fake-mastodon': { type: 'boolean', default: false },
  },
});
const API = args.url!.replace(/\/$/, '');
const ADMIN = args['admin-token'];
if (!ADMIN) {
  console.error('usage: replay-attacks --url <api> --admin-token <token of an admin>');
  process.exit(2);
}

/** The API process's resident memory in MB, when it runs on this machine and its pid was given. */
function rssMb(): number | null {
  if (!args.pid) return null;
  const status = readFileSync(`/proc/${args.pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

/** The bystander's requests may take this long while an attack runs before the case counts as broken. */
const STALL_MS = 1_000;
/** No single attacking request may take longer than this. */
const DEADLINE_MS = 15_000;
const CLIENT_CODES = new Set(['BAD_USER_INPUT', 'RATE_LIMITED', 'FORBIDDEN', 'UNAUTHENTICATED', 'NOT_FOUND']);

type Verdict = 'refused' | 'contained' | 'broken';
interface Answer {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  ms: number;
}

async function post(body: unknown, token?: string, raw?: string): Promise<Answer> {
  const started = performance.now();
  try {
    const response = await fetch(`${API}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: raw ?? JSON.stringify(body),
      signal: AbortSignal.timeout(DEADLINE_MS),
    });
    const text = await response.text();
    let parsed: Answer['body'] = {};
    try {
      parsed = JSON.parse(text) as Answer['body'];
    } catch {
      parsed = { errors: [{ message: text.slice(0, 200) }] };
    }
    return { status: response.status, body: parsed, ms: performance.now() - started };
  } catch (error) {
    return {
      status: 0,
      body: { errors: [{ message: `no answer: ${(error as Error).message}` }] },
      ms: performance.now() - started,
    };
  }
}

const gql = (query: string, variables: Record<string, unknown> = {}, token?: string) =>
  post({ query, variables }, token);

function codeOf(answer: Answer): string | null {
  return answer.body.errors?.[0]?.extensions?.code ?? null;
}

/** How an attacking request was answered: refused with a client error, accepted, or broken. */
function judge(answer: Answer): { verdict: Verdict; detail: string } {
  const code = codeOf(answer);
  const what = `${answer.status} ${code ?? (answer.body.errors ? answer.body.errors[0]!.message.slice(0, 80) : 'ok')} in ${Math.round(answer.ms)} ms`;
  if (answer.status === 0 || answer.status >= 500 || code === 'INTERNAL_SERVER_ERROR')
    return { verdict: 'broken', detail: what };
  if ((answer.status >= 400 && answer.status < 500) || (code !== null && CLIENT_CODES.has(code)))
    return { verdict: 'refused', detail: what };
  if (answer.body.errors) return { verdict: 'broken', detail: what };
  return { verdict: 'contained', detail: what };
}

/**
 * The bystander's `me` round trip, sampled every 100 ms while an attack runs; the slowest one counts.
 * It runs on a thread of its own, so that this process's own work for an attack (20,000 subscribe
 * messages) does not delay its clock.
 */
const CANARY_LOOP = `
const { parentPort, workerData } = require('node:worker_threads');
let running = true, slowest = 0, failure = '';
parentPort.on('message', () => { running = false; });
(async () => {
  while (running) {
    const started = performance.now();
    try {
      const res = await fetch(workerData.url, { method: 'POST', signal: AbortSignal.timeout(15000),
        headers: { 'content-type': 'application/json', authorization: 'Bearer ' + workerData.token },
        body: JSON.stringify({ query: '{ me { id } }' }) });
      const body = await res.text();
      if (res.status !== 200 || !body.includes('"me"')) { failure ||= res.status + ' ' + body.slice(0, 80); slowest = Infinity; }
      else slowest = Math.max(slowest, performance.now() - started);
    } catch (error) { failure ||= String(error); slowest = Infinity; }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  parentPort.postMessage({ slowest, failure });
})();
`;

class Canary {
  /** The first of the bystander's requests that got no good answer. */
  failure = '';
  private worker: Worker | null = null;

  constructor(private readonly token: string) {}

  start(): void {
    this.failure = '';
    this.worker = new Worker(CANARY_LOOP, {
      eval: true,
      workerData: { url: `${API}/graphql`, token: this.token },
    });
  }

  async stop(): Promise<number> {
    const worker = this.worker!;
    const result = new Promise<{ slowest: number; failure: string }>((resolve) =>
      worker.once('message', resolve),
    );
    worker.postMessage('stop');
    const { slowest, failure } = await result;
    await worker.terminate();
    this.failure = failure;
    return slowest;
  }
}

function waited(slowest: number, failure: string): string {
  return Number.isFinite(slowest) ? `waited ${Math.round(slowest)} ms` : `got no answer (${failure})`;
}

interface Case {
  cls: string;
  name: string;
  run(): Promise<{ verdict: Verdict | 'skipped'; detail: string }>;
}

const repeat = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(' ');
const muteRegexSpec = (regex: string) => ({
  name: 'regex attack',
  stages: [{ use: 'mute-words', with: { words: [{ regex }] } }],
});
const pluginCode = (name: string, body: string, configSchema = "{ type: 'object' }") =>
  `definePlugin({ name: '${name}', version: '1.0.0', configSchema: ${configSchema}, ${body} });`;

interface TimelineView {
  timeline: { edges: { node: { post: { id: string; text: string } } }[] };
}

async function timelineTexts(token: string): Promise<{ id: string; text: string }[]> {
  const answer = await gql('{ timeline(first: 100) { edges { node { post { id text } } } } }', {}, token);
  return ((answer.body.data as TimelineView | undefined)?.timeline.edges ?? []).map((e) => e.node.post);
}

/** Polls the member's timeline until a post's text matches, or gives up after a minute. */
async function waitForText(token: string, pattern: RegExp): Promise<{ id: string; text: string } | null> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    const found = (await timelineTexts(token)).find((p) => pattern.test(p.text));
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return null;
}

/**
 * Class 2: the bystander reads Carol through an honest server; the attacker links a hostile server
 * that claims Carol's account and status URIs, with its own text, link and counts.
 */
async function hostileServers(attacker: string, bystander: string) {
  const { FakeMastodonServer } = await import('@tributary/testing');
  const honest = await FakeMastodonServer.start();
  const evil = await FakeMastodonServer.start();
  const carol = honest.createAccount('carol', { displayName: 'Carol' });
  const reader = honest.createAccount('reader');
  honest.follow(reader, carol);
  const publicId = honest.post(carol, { text: 'The library opens at nine' });
  const privateId = honest.post(carol, {
    text: 'Followers only: the door code is 4711',
    visibility: 'private',
  });
  const fakeCarol = evil.createAccount('carol', {
    displayName: 'Carol (official)',
    uri: `${honest.origin}/users/carol`,
  });
  const mallory = evil.createAccount('mallory');
  evil.follow(mallory, fakeCarol);
  evil.post(fakeCarol, {
    uri: `${honest.origin}/users/carol/statuses/${publicId}`,
    text: 'Your session expired. Log in again',
  });
  evil.post(fakeCarol, { uri: `${honest.origin}/users/carol/statuses/${privateId}`, text: 'claimed' });
  // Posts for the regexes of class 1 to run over (the shapes that backtrack on them).
  for (const text of [`ж${'x'.repeat(150)}`, `${'a'.repeat(150)}`, `${'w'.repeat(150)}`])
    evil.post(fakeCarol, { text });
  const link = (token: string, server: typeof honest, account: typeof reader) =>
    gql(
      'mutation($i: String!, $t: String!) { linkMastodonAccount(instance: $i, accessToken: $t) { id } }',
      { i: server.origin, t: server.issueToken(account) },
      token,
    );
  const linkedBystander = await link(bystander, honest, reader);
  if (linkedBystander.body.errors)
    throw new Error(
      `--fake-mastodon: the instance refused the honest server: ${JSON.stringify(linkedBystander.body.errors)}`,
    );
  const original = await waitForText(bystander, /library opens/);
  const secret = await waitForText(bystander, /door code/);
  await link(attacker, evil, mallory);
  const claimed = await waitForText(attacker, /Log in again/);
  await waitForText(attacker, /^ж/);
  const cases: Case[] = [
    {
      cls: '2 trust',
      name: "a claimed status: the bystander's copy",
      async run() {
        if (!original || !claimed)
          return { verdict: 'skipped', detail: 'the posts did not arrive within a minute' };
        const now = (await timelineTexts(bystander)).find((p) => p.id === original.id);
        return now?.text === original.text
          ? {
              verdict: 'contained',
              detail: `bystander still reads "${now.text}"; the attacker reads "${claimed.text}"`,
            }
          : { verdict: 'broken', detail: `bystander now reads "${now?.text}"` };
      },
    },
    {
      cls: '2 trust',
      name: "the bystander's followers-only copy, asked for by id",
      async run() {
        if (!secret) return { verdict: 'skipped', detail: 'the post did not arrive within a minute' };
        const answer = await gql('query($id: ID!) { post(id: $id) { text } }', { id: secret.id }, attacker);
        const leaked = (await timelineTexts(attacker)).some((p) => /door code/.test(p.text));
        if (leaked)
          return { verdict: 'broken', detail: "the attacker's timeline shows the followers-only text" };
        const post = answer.body.data?.post as { text: string } | null | undefined;
        if (post) return { verdict: 'broken', detail: `the attacker reads "${post.text}"` };
        return judge(answer);
      },
    },
  ];
  return { cases, close: () => Promise.all([honest.close(), evil.close()]) };
}

async function main(): Promise<void> {
  const run = randomBytes(3).toString('hex');
  const invite = async () => {
    const answer = await gql('mutation { createInvite { code } }', {}, ADMIN);
    const code = (answer.body.data?.createInvite as { code: string } | undefined)?.code;
    if (!code) throw new Error(`createInvite failed: ${JSON.stringify(answer.body.errors)}`);
    return code;
  };
  const signUp = async (username: string) => {
    const answer = await gql(
      'mutation($i: String!, $u: String!, $p: String!) { signUp(invite: $i, username: $u, password: $p) { token } }',
      { i: await invite(), u: username, p: `pw-${randomBytes(12).toString('hex')}` },
    );
    const token = (answer.body.data?.signUp as { token: string } | undefined)?.token;
    if (!token) throw new Error(`signUp failed: ${JSON.stringify(answer.body.errors)}`);
    return token;
  };
  const attacker = await signUp(`sec-${run}-attacker`);
  const bystander = await signUp(`sec-${run}-bystander`);
  const canary = new Canary(bystander);
  const hostile = args['fake-mastodon'] ? await hostileServers(attacker, bystander) : null;

  // One case: runs the attack while the bystander's canary samples the service.
  const attack = (cls: string, name: string, send: () => Promise<Answer>): Case => ({
    cls,
    name,
    async run() {
      canary.start();
      const answer = await send();
      const slowest = await canary.stop();
      const judged = judge(answer);
      if (slowest > STALL_MS)
        return {
          verdict: 'broken',
          detail: `${judged.detail}; bystander ${waited(slowest, canary.failure)}`,
        };
      return judged;
    },
  });

  const preview = (spec: unknown) =>
    gql('query($s: JSON!) { previewPipeline(spec: $s) { post { id } } }', { s: spec }, attacker);
  let pipelines = 0;
  const created: string[] = [];
  const create = async (spec: unknown) => {
    const answer = await gql(
      'mutation($n: String!, $s: JSON!) { createPipeline(name: $n, spec: $s) { id } }',
      { n: `attack ${++pipelines}`, s: spec },
      attacker,
    );
    const id = (answer.body.data?.createPipeline as { id: string } | undefined)?.id;
    if (id) created.push(id);
    return answer;
  };
  /** Deletes the attacker's pipelines made so far: a member may have only PIPELINES_PER_USER. */
  const deleteCreated = async () => {
    for (const id of created.splice(0))
      await gql('mutation($p: ID!) { deletePipeline(id: $p) }', { p: id }, attacker);
  };
  const upload = (code: string) =>
    gql('mutation($c: String!) { uploadPlugin(code: $c) { id use } }', { c: code }, attacker);

  const cases: Case[] = [
    ...(hostile ? hostile.cases : []),
    // 1. Catastrophic mute-word regexes.
    ...[
      `ж${'[^q]*'.repeat(30)}q!`,
      `${'a+'.repeat(30)}b`,
      // The pattern's own escape `\u0000` (a NUL character itself is refused as input).
      `${'.+'.repeat(30)}\\u0000`,
      `${'\\w+'.repeat(10)}!`,
      '^(a+)+$',
    ].flatMap((regex) => [
      attack('1 regex', `preview ${JSON.stringify(regex.slice(0, 24))}…`, () =>
        preview(muteRegexSpec(regex)),
      ),
      attack('1 regex', `create ${JSON.stringify(regex.slice(0, 24))}…`, async () => {
        const answer = await create(muteRegexSpec(regex));
        await deleteCreated();
        return answer;
      }),
    ]),
    // 3. Memory through the query-cost cache, before logging in.
    {
      cls: '3 cost cache',
      name: '3 × 64 different 7.5 MB JSON variables, unauthenticated',
      async run() {
        const before = rssMb();
        canary.start();
        let last!: Answer;
        for (let i = 0; i < 192; i++)
          last = await gql('query($s: JSON!) { validatePipeline(spec: $s) { valid } }', {
            s: { n: i, x: 'a'.repeat(7_500_000) },
          });
        const slowest = await canary.stop();
        const judged = judge(last);
        const grown = before === null ? null : rssMb()! - before;
        const detail = `${judged.detail}; ${grown === null ? 'memory not read (no --pid)' : `RSS +${grown} MB`}`;
        if (slowest > STALL_MS)
          return { verdict: 'broken', detail: `${detail}; bystander waited ${Math.round(slowest)} ms` };
        if (grown !== null && grown > 300) return { verdict: 'broken', detail };
        return { verdict: judged.verdict, detail };
      },
    },
    attack('3 cost cache', '5,000-level nested JSON variable', () =>
      post(
        null,
        undefined,
        `{"query":"query($s: JSON!) { validatePipeline(spec: $s) { valid } }","variables":{"s":${'['.repeat(5000)}${']'.repeat(5000)}}}`,
      ),
    ),
    // 4. Fragment bombs: exponential paths through fragments.
    ...[14, 16, 20].map((levels) =>
      attack('4 fragments', `${levels}-level fragment bomb, unauthenticated`, () => {
        let document = 'query { ...F0 }';
        for (let i = 0; i < levels; i++)
          document += ` fragment F${i} on Query { ...F${i + 1} ...F${i + 1} ...F${i + 1} }`;
        document += ` fragment F${levels} on Query { __typename }`;
        return gql(document);
      }),
    ),
    // 5. ReDoS through a plugin's configSchema pattern.
    attack('5 plugin schema', "configSchema pattern '^(a+)+$'", async () => {
      const uploaded = await upload(
        pluginCode(
          `sec${run}/schema-redos`,
          'filter: (posts) => posts.map(() => null)',
          "{ type: 'object', properties: { w: { type: 'string', pattern: '^(a+)+$' } } }",
        ),
      );
      const use = (uploaded.body.data?.uploadPlugin as { use: string } | undefined)?.use;
      if (!use) return uploaded;
      return gql(
        'query($s: JSON!) { validatePipeline(spec: $s) { valid } }',
        { s: { name: 'x', stages: [{ use, with: { w: `${'a'.repeat(40)}!` } }] } },
        attacker,
      );
    }),
    // 5. A config schema of megabytes from a few bytes of code, parsed and compiled by the API.
    attack('5 plugin schema', 'configSchema of one object nested under two keys 17 times (7.7 MB)', () =>
      upload(
        `let s = { type: 'string' }; for (let i = 0; i < 17; i++) s = { type: 'object', properties: { a: s, b: s } };
         ${pluginCode(`sec${run}/schema-bomb`, 'filter: (posts) => posts.map(() => null)', 's')}`,
      ),
    ),
    // 6. WebAssembly memory outside the isolate's limit.
    attack('6 plugin memory', 'WebAssembly.Memory growth, run in a preview as 8 stages', async () => {
      const uploaded = await upload(
        pluginCode(
          `sec${run}/wasm`,
          'filter: (posts) => { const m = []; for (let i = 0; i < 64; i++) m.push(new WebAssembly.Memory({ initial: 1024, maximum: 1024 })); return posts.map(() => null); }',
        ),
      );
      const use = (uploaded.body.data?.uploadPlugin as { use: string } | undefined)?.use;
      if (!use) return uploaded;
      return preview({ name: 'wasm', stages: Array.from({ length: 8 }, () => ({ use, onError: 'skip' })) });
    }),
    // 7. A flood of heavy rebuilds: the bystander's preview must not wait behind it.
    attack('7 fairness', '14 pipelines of 64 spinning plugin stages, then a bystander preview', async () => {
      const spin = await upload(pluginCode(`sec${run}/spin`, 'filter: (posts) => { for (;;) {} }'));
      const use = (spin.body.data?.uploadPlugin as { use: string } | undefined)?.use;
      if (!use) return spin;
      const spec = { name: 'flood', stages: Array.from({ length: 64 }, () => ({ use, onError: 'skip' })) };
      for (let i = 0; i < 14; i++) await create(spec);
      const answer = await gql(
        'query($s: JSON!) { previewPipeline(spec: $s) { post { id } } }',
        { s: { name: 'b', stages: [] } },
        bystander,
      );
      await deleteCreated();
      return answer;
    }),
    // 9. Password guessing and hashing work.
    attack('9 login', '40 wrong passwords for one username', async () => {
      let last!: Answer;
      for (let i = 0; i < 40; i++)
        last = await gql('mutation { login(username: "admin", password: "wrong guess") { token } }');
      // Only a limit is a refusal here: 40 "wrong password" answers are 40 guesses allowed.
      return codeOf(last) === 'RATE_LIMITED' ? last : { ...last, status: 500 };
    }),
    attack('9 login', '500 aliased logins in one request', () =>
      gql(
        `mutation { ${repeat(500, (i) => `l${i}: login(username: "admin", password: "guess ${i}") { token }`)} }`,
      ),
    ),
    attack('9 login', '500 aliased signUps with a made-up invite', () =>
      gql(
        `mutation { ${repeat(500, (i) => `s${i}: signUp(invite: "inv_nope", username: "x${i}", password: "long enough password") { token }`)} }`,
      ),
    ),
    attack(
      '9 login',
      '20 aliased deleteMyAccount with wrong passwords (a stolen token guessing)',
      async () => {
        const answer = await gql(
          `mutation { ${repeat(20, (i) => `d${i}: deleteMyAccount(password: "guess ${i}")`)} }`,
          {},
          attacker,
        );
        // Twenty "wrong password" answers are twenty guesses allowed, not a refusal.
        const alone = answer.body.errors?.[0]?.message.includes('must be the only field');
        return alone ? answer : { ...answer, status: 500 };
      },
    ),
    // 10. Cheap work multiplied.
    attack('10 multiplied', '4,999 aliases of me', () =>
      gql(`{ ${repeat(4999, (i) => `a${i}: me { id }`)} }`, {}, attacker),
    ),
    attack('10 multiplied', '2,400 × pipelines { versions }', () =>
      gql(`{ ${repeat(2400, (i) => `p${i}: pipelines { id versions { version } }`)} }`, {}, attacker),
    ),
    attack('10 multiplied', '20 × pipelines { versions { spec } } (every saved spec, 20 times)', async () => {
      const answer = await gql(
        `{ ${repeat(20, (i) => `p${i}: pipelines { id versions { version spec } }`)} }`,
        {},
        attacker,
      );
      return answer.body.errors ? answer : { ...answer, status: 500 };
    }),
    attack('10 multiplied', "20 × exportMyData (a member's whole data, 20 times)", async () => {
      const answer = await gql(`{ ${repeat(20, (i) => `e${i}: exportMyData`)} }`, {}, attacker);
      return answer.body.errors ? answer : { ...answer, status: 500 };
    }),
    {
      cls: '10 multiplied',
      name: '20,000 subscriptions on one WebSocket',
      async run() {
        const client = createClient({
          url: `${API.replace(/^http/, 'ws')}/graphql`,
          webSocketImpl: WebSocket,
          connectionParams: { authorization: `Bearer ${attacker}` },
          retryAttempts: 0,
        });
        let refused = 0;
        let firstRefusal = '';
        const stops: (() => void)[] = [];
        canary.start();
        for (let i = 0; i < 20_000; i++)
          stops.push(
            client.subscribe(
              { query: 'subscription { accountStatusChanged { id } }' },
              {
                next: () => {},
                error: (error) => {
                  refused++;
                  firstRefusal ||= JSON.stringify(error).slice(0, 120);
                },
                complete: () => {},
              },
            ),
          );
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        const slowest = await canary.stop();
        for (const stop of stops) stop();
        await client.dispose();
        if (slowest > STALL_MS)
          return { verdict: 'broken', detail: `bystander waited ${Math.round(slowest)} ms` };
        return refused > 0
          ? { verdict: 'refused', detail: `${refused} refused (${firstRefusal})` }
          : { verdict: 'broken', detail: 'all 20,000 accepted' };
      },
    },
    // 11. NUL characters, non-finite scores.
    attack('11 robustness', 'NUL in login', () =>
      gql('mutation { login(username: "a\\u0000b", password: "x\\u0000") { token } }'),
    ),
    attack('11 robustness', 'NUL in createPipeline', () =>
      gql(
        'mutation($s: JSON!) { createPipeline(name: "n\\u0000", spec: $s) { id } }',
        { s: { name: 'a\u0000' } },
        attacker,
      ),
    ),
    attack('11 robustness', 'NUL in uploadPlugin', () =>
      upload(`/*\u0000*/${pluginCode(`sec${run}/nul`, 'filter: (p) => p.map(() => null)')}`),
    ),
    attack('11 robustness', 'plugin score 1e308 × weight 100, then timeline { rankKey }', async () => {
      const huge = await upload(pluginCode(`sec${run}/huge`, 'score: (posts) => posts.map(() => 1e308)'));
      const use = (huge.body.data?.uploadPlugin as { use: string } | undefined)?.use;
      if (!use) return huge;
      const created = await create({ name: 'huge', stages: [{ use, weight: 100 }] });
      const id = (created.body.data?.createPipeline as { id: string } | undefined)?.id;
      if (!id) return created;
      // The timeline is read once its rebuild ran the plugin over the attacker's posts.
      for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
        const state = await gql(
          'query($p: ID!) { pipeline(id: $p) { rebuild { state } } }',
          { p: id },
          attacker,
        );
        const rebuild = (state.body.data?.pipeline as { rebuild: { state: string } } | undefined)?.rebuild;
        if (rebuild?.state === 'DONE' || rebuild?.state === 'FAILED') break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const page = await gql(
        'query($p: ID!) { timeline(pipeline: $p, first: 5) { edges { cursor node { rankKey } } } }',
        { p: id },
        attacker,
      );
      const edges = (page.body.data?.timeline as { edges: unknown[] } | undefined)?.edges ?? [];
      if (!page.body.errors && edges.length === 0 && hostile) return { ...page, status: 500 };
      return page;
    }),
  ];

  const only = args.only ? new RegExp(args.only) : null;
  const tally = new Map<string, Record<Verdict | 'skipped' | 'tried', number>>();
  for (const c of cases) {
    if (only && !only.test(c.cls)) continue;
    const result = await c
      .run()
      .catch((error: Error) => ({ verdict: 'broken' as const, detail: error.message }));
    const row = tally.get(c.cls) ?? { tried: 0, refused: 0, contained: 0, broken: 0, skipped: 0 };
    row.tried++;
    row[result.verdict]++;
    tally.set(c.cls, row);
    console.log(`${result.verdict.padEnd(9)} ${c.cls.padEnd(16)} ${c.name}: ${result.detail}`);
  }
  console.log('\nclass             tried  refused  contained  broken');
  for (const [cls, row] of tally)
    console.log(
      `${cls.padEnd(16)} ${String(row.tried).padStart(6)} ${String(row.refused).padStart(8)} ${String(row.contained).padStart(10)} ${String(row.broken).padStart(7)}`,
    );
  console.log(
    `\nNot replayed here: ${hostile ? '' : "2 (a member's hostile server: add --fake-mastodon), "}8 (Redis losing its data: needs Redis access; fair-queues.int-spec covers it).`,
  );
  await hostile?.close();
  const broken = [...tally.values()].reduce((n, row) => n + row.broken, 0);
  process.exitCode = broken > 0 ? 1 : 0;
}

await main();
