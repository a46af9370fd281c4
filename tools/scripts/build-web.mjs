// Builds the web app (apps/web) into dist/web with Vite when its sources changed since the last
// build: `npm start` and `npm test` run it through env.sh, the browser test before it starts. The
// output is self-contained (the API serves it from dist/web; nothing is fetched from elsewhere).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const app = join(root, 'apps/web');
const out = join(root, 'dist/web');
const stamp = join(out, '.source-hash');

/** Every file the build reads from the repository, and the versions of the packages it bundles. */
function sourceHash() {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.endsWith('.spec.ts')) hash.update(relative(root, path)).update(readFileSync(path));
    }
  };
  walk(app);
  hash.update(readFileSync(join(root, 'package-lock.json')));
  return hash.digest('hex');
}

const wanted = sourceHash();
if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted && existsSync(join(out, 'index.html'))) {
  process.exit(0);
}
console.error('[tributary] building the web app (apps/web → dist/web)');
const { build } = await import('vite');
await build({ configFile: join(app, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
writeFileSync(stamp, wanted);
