// The web app's operation types are generated from the committed schema and committed themselves:
// this fails when they differ from what codegen makes now (the schema or an operation changed and
// `npx graphql-codegen --config apps/web/codegen.ts` was not run), so client and server cannot drift.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, jest } from '@jest/globals';
import { generate } from '@graphql-codegen/cli';
import { codegenConfig } from './codegen.js';

jest.setTimeout(60_000);

const GENERATED = 'apps/web/src/gql/';

/** The generated files that differ from the committed ones (or are missing or extra). */
async function drift(schema?: string): Promise<string[]> {
  const files = (await generate(codegenConfig(schema), false)) as { filename: string; content: string }[];
  const committed = readdirSync(GENERATED).map((name) => join(GENERATED, name));
  const differing = files
    .filter((file) => {
      try {
        return readFileSync(file.filename, 'utf8') !== file.content;
      } catch {
        return true;
      }
    })
    .map((file) => file.filename);
  const extra = committed.filter((path) => !files.some((file) => join(file.filename) === path));
  return [...differing, ...extra].sort();
}

describe('the web app GraphQL types', () => {
  it('are what codegen makes from the committed schema and operations', async () => {
    expect(await drift()).toEqual([]);
  });

  it('are reported as drifted when the schema changes under them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-codegen-'));
    try {
      const changed = readFileSync('apps/api/schema.graphql', 'utf8').replace(
        /(type Counts \{[^}]*likes: Int)!/,
        '$1', // nullable now: the app's like counts would be `number | null`
      );
      expect(changed).toMatch(/likes: Int\n/);
      writeFileSync(join(dir, 'schema.graphql'), changed);
      expect(await drift(join(dir, 'schema.graphql'))).toEqual([join(GENERATED, 'graphql.ts')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
