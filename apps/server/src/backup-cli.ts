// `npm run backup -- <folder>` and `npm run restore -- <folder>` (README "Backups").
import { ConfigError, loadConfig } from '@tributary/config';
import { BackupError, backup, restore } from './backup.js';

const [command, dir] = process.argv.slice(2);
if ((command !== 'backup' && command !== 'restore') || !dir) {
  console.error('usage: backup-cli.ts backup|restore <folder>');
  process.exit(64); // EX_USAGE
}
try {
  const config = loadConfig();
  const manifest = command === 'backup' ? await backup(config, dir) : await restore(config, dir);
  console.log(
    `${command === 'backup' ? 'backed up to' : 'restored from'} ${dir}: database, key and ${manifest.redisKeys} Redis keys (backup of ${manifest.createdAt})`,
  );
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof BackupError)) throw error;
  console.error(error.message);
  process.exit(1);
}
