// The settings of every PostgreSQL session Tributary opens (the app's pool and the migrations').
import type pg from 'pg';

/** Session settings the pool adds to those a URL's `options` carry, unless the URL sets them itself. */
const SESSION_DEFAULTS = {
  // JIT's break-even is analytic queries. Ours are short, and a misestimate (a table without
  // statistics yet) made PostgreSQL spend ~21 ms compiling a 500-post candidates query that then
  // ran in 4 ms (tools/bench/pipeline-e2e.bench.ts).
  jit: 'off',
  // A transaction left open (a step that hangs, a paused process) keeps its row locks: a user's
  // row lock stops all their pipeline changes. Ours go statement to statement, in milliseconds;
  // PostgreSQL ends a session idle inside one for a minute, and the transaction fails with why.
  idle_in_transaction_session_timeout: '60000',
};

/**
 * Settings every session gets, after the URL's own options (the last one wins). Every timestamp
 * column holds UTC wall-clock time without a zone (Prisma's `DateTime` is `timestamp(3)`), and
 * PostgreSQL turns `now()` and column defaults into a `timestamp` in the session's zone: on a server
 * whose `timezone` is its machine's local zone (initdb's default), rows written by hand-written SQL
 * were stored hours off and `now() - interval` windows shifted.
 */
const SESSION_FIXED = { TimeZone: 'UTC' };

/**
 * The pool's connection settings: SESSION_DEFAULTS and SESSION_FIXED added to the session options
 * the URL may carry (`?options=-c statement_timeout=5000`). node-postgres lets a URL's `options`
 * replace the pool's, which silently turned JIT back on.
 */
export function poolConfig(url: string): pg.PoolConfig {
  const parsed = new URL(url);
  let options = parsed.searchParams.get('options')?.trim() ?? '';
  parsed.searchParams.delete('options');
  for (const [name, value] of Object.entries(SESSION_DEFAULTS)) {
    const setsIt = new RegExp(`(^|\\s)(-c\\s*|--)${name}=`).test(options);
    if (!setsIt) options = `${options} -c ${name}=${value}`.trim();
  }
  for (const [name, value] of Object.entries(SESSION_FIXED))
    options = `${options} -c ${name}=${value}`.trim();
  return { connectionString: parsed.href, options };
}
