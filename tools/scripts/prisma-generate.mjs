// Generates the Prisma client. Prisma's CLI wants to download a native schema engine even for
// `generate`, which does not need it; pointing it at any existing file skips the download.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const schema = readFileSync(`${root}prisma/schema.prisma`);
const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');
execFileSync(process.execPath, [prismaCli, 'generate'], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  },
});
mkdirSync(`${root}generated/prisma`, { recursive: true });
writeFileSync(`${root}generated/prisma/.schema-hash`, createHash('sha256').update(schema).digest('hex'));
