import { afterEach, describe, expect, it } from '@jest/globals';
import { makePost } from '@tributary/plugin-sdk';
import { SandboxPool } from './sandbox-pool.js';
import { sandboxedPlugin } from './sandboxed-plugin.js';

const flag = (
  name: string,
) => `definePlugin({ name: '${name}', version: '1.0.0', configSchema: { type: 'object' },
  fields: ['text'], filter: (posts) => posts.map(() => ({ action: 'warn', reason: 'flagged' })) });`;
const SPIN = `definePlugin({ name: 'm/spin', version: '1.0.0', configSchema: { type: 'object' },
  filter() { for (;;) {} } });`;
const context = { now: '2026-12-07T00:00:00.000Z' };
const posts = [makePost({ text: 'x' })];

let pool: SandboxPool;
afterEach(() => pool?.close());

describe('SandboxPool', () => {
  it("runs a member's plugins beside another member's plugin spinning to its limit, not behind it", async () => {
    pool = new SandboxPool({ timeLimitMs: 1000 });
    const spin = await sandboxedPlugin(pool.for('attacker'), SPIN);
    const mine = await sandboxedPlugin(pool.for('member'), flag('m/flag'));
    const finished: string[] = [];
    // The attacker's calls go first, one after another; one shared process ran the member's after them.
    const attack = [1, 2, 3].map((n) =>
      spin.run(posts, {}, context).then((outcome) => {
        finished.push(`spin ${n}`);
        return outcome;
      }),
    );
    const outcome = await mine.run(posts, {}, context);
    finished.push('member');
    expect(outcome).toEqual({ ok: true, verdicts: [{ action: 'warn', reason: 'flagged' }], scores: null });
    expect(await Promise.all(attack)).toEqual([1, 2, 3].map(() => ({ ok: false, error: 'timeout' })));
    expect(finished[0]).toBe('member');
  });

  it('keeps at most its bound of processes, stopping the least recently used idle one first', async () => {
    pool = new SandboxPool({ maxProcesses: 2 });
    const runners = [];
    for (const member of ['a', 'b', 'c'])
      runners.push(await sandboxedPlugin(pool.for(member), flag(`${member}/flag`)));
    // Each load started its member's process: the third start stopped the first (idle) one.
    expect(pool.processes).toBe(2);
    expect(pool.for('a').running).toBe(false);
    // Its plugin still runs: loaded again into a new process, which stops b's, now the oldest.
    expect(await runners[0]!.run(posts, {}, context)).toMatchObject({ ok: true });
    expect(pool.processes).toBe(2);
    expect(pool.for('b').running).toBe(false);
    expect(pool.for('c').running).toBe(true);
    expect(await runners[1]!.run(posts, {}, context)).toMatchObject({ ok: true });
    expect(pool.processes).toBe(2);
    expect(pool.restarts).toBe(0);
  });
});
