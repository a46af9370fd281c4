// Named prepared statements for the hot paths (a timeline page, a pipeline batch): PostgreSQL
// parses and plans them once per connection instead of on every call (the pipeline write path
// re-planned ~3 ms of SQL per 500-post job). Only texts marked with `prepared()` are named: each
// distinct marked text stays prepared on every pooled connection, so marking is for fixed
// templates, never for SQL with values spliced in. PGlite (embedded) runs them as plain statements.
import { createHash } from 'node:crypto';

const MARK = '/* prepared */ ';

/** `sql`, marked to run as a named prepared statement on PostgreSQL. */
export function prepared(sql: string): string {
  return MARK + sql;
}

const names = new Map<string, string>();

/**
 * The statement name for a marked text (a hash of it, so equal texts share one statement and
 * different ones never collide); undefined for unmarked texts, which run unnamed.
 */
export function preparedStatementName(sql: string): string | undefined {
  if (!sql.startsWith(MARK)) return undefined;
  let name = names.get(sql);
  if (name === undefined) {
    name = `tributary_${createHash('sha256').update(sql).digest('hex').slice(0, 32)}`;
    names.set(sql, name);
  }
  return name;
}
