// Migrations without the Prisma CLI (its native schema engine cannot be downloaded everywhere):
//   migrate.ts create <name>   diff prisma/schema.prisma against prisma/migrations, write a new one
//   migrate.ts deploy          apply pending migrations to DATABASE_URL, else to PGlite in DATA_DIR
// (both read through libs/config, like the app, so they mean the same thing here and there).
import { loadConfig } from '@tributary/config';
import { applyMigrations, createMigration, openPglite } from '@tributary/db';

async function main(argv: string[]): Promise<number> {
  const [command, name] = argv;
  if (command === 'create' && name) {
    const created = await createMigration(name);
    console.log(created ? `Created prisma/migrations/${created.name}/migration.sql` : 'No schema changes.');
    return 0;
  }
  if (command === 'deploy') {
    const { DATABASE_URL: url, DATA_DIR: dataDir } = loadConfig();
    if (url) {
      const { applied } = await applyMigrations({ url });
      report(applied, 'PostgreSQL');
      return 0;
    }
    const pglite = await openPglite(dataDir);
    try {
      report((await applyMigrations({ pglite })).applied, `PGlite in ${dataDir}/pglite`);
    } finally {
      await pglite.close();
    }
    return 0;
  }
  console.error('Usage: migrate.ts create <snake_case_name> | deploy');
  return 2;
}

function report(applied: string[], where: string): void {
  console.log(
    applied.length === 0
      ? `${where}: up to date.`
      : `${where}: applied ${applied.length} migration(s):\n${applied.map((n) => `  ${n}`).join('\n')}`,
  );
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
