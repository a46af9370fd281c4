import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/** Opens the embedded database persisted in `<dataDir>/pglite` (PGlite needs the parent to exist). */
export async function openPglite(dataDir: string): Promise<PGlite> {
  await mkdir(dataDir, { recursive: true });
  const pglite = new PGlite({ dataDir: join(dataDir, 'pglite') });
  await pglite.waitReady;
  return pglite;
}
