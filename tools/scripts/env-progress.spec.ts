// The first `npm start` installs for minutes: tools/scripts/env.sh says how far it is meanwhile.
// Run on a copy of the script in a scratch project whose `npm` is a stand-in that takes its time.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('env.sh on a first install', () => {
  it('prints progress while npm installs, then how long it took', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tributary-env-'));
    dirs.push(root);
    await mkdir(join(root, 'tools/scripts'), { recursive: true });
    await copyFile('tools/scripts/env.sh', join(root, 'tools/scripts/env.sh'));
    // The web app's build step, which has nothing to build here.
    await writeFile(join(root, 'tools/scripts/build-web.mjs'), '');
    await writeFile(join(root, '.node-version'), `${process.versions.node}\n`);
    await writeFile(join(root, 'package.json'), '{}\n');
    const packages = ['a', 'b', '@scope/c'].map(
      (name) => `    "node_modules/${name}": {\n      "version": "1.0.0"\n    }`,
    );
    await writeFile(join(root, 'package-lock.json'), `{\n  "packages": {\n${packages.join(',\n')}\n  }\n}\n`);
    const schema = '// schema\n';
    await mkdir(join(root, 'prisma'));
    await writeFile(join(root, 'prisma/schema.prisma'), schema);
    await mkdir(join(root, 'generated/prisma'), { recursive: true });
    await writeFile(
      join(root, 'generated/prisma/.schema-hash'),
      createHash('sha256').update(schema).digest('hex'),
    );
    // A stand-in npm: two packages at once, the third 3 s later.
    const bin = join(root, 'bin');
    await mkdir(bin);
    await writeFile(
      join(bin, 'npm'),
      '#!/bin/sh\nmkdir -p node_modules/a node_modules/@scope/c\nsleep 3\nmkdir -p node_modules/b\n',
    );
    await chmod(join(bin, 'npm'), 0o755);

    const run = spawnSync('sh', ['tools/scripts/env.sh', 'echo', 'started'], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`, TRIBUTARY_PROGRESS_SECONDS: '1' },
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('started\n');
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toBe(
      '[tributary] installing npm packages (3 of them; the first install takes a few minutes)',
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^\[tributary\] still installing npm packages: \d+ s, 2 of 3 in node_modules$/),
    );
    expect(lines.at(-1)).toMatch(/^\[tributary\] npm packages installed in [34] s$/);
    expect(await readFile(join(root, 'node_modules/.tributary-install'), 'utf8')).toBe('');
  });
});
