import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '@tributary/config';

/**
 * The credentials key: ENCRYPTION_KEY when set, else one generated once into DATA_DIR/secret.key.
 * Losing it means every linked account must be linked again, so the file is never overwritten.
 */
export async function resolveEncryptionKey(config: Config): Promise<Buffer> {
  if (config.ENCRYPTION_KEY) return Buffer.from(config.ENCRYPTION_KEY, 'base64');
  const file = join(config.DATA_DIR, 'secret.key');
  const existing = await readFile(file, 'utf8').catch(() => null);
  if (existing !== null) {
    const key = Buffer.from(existing.trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file}: expected 32 bytes, base64-encoded`);
    return key;
  }
  const key = randomBytes(32);
  await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
