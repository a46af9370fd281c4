// The defaults the documentation states are the configuration's: the plugin SDK's README said a
// plugin call gets 250 ms and 32 MiB while the defaults were 200 ms and 64 MiB (issue 16).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from './load-config.js';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const defaults = loadConfig({}) as unknown as Record<string, unknown>;

describe('documented defaults', () => {
  it("README's configuration table states every numeric and yes/no default as the configuration has it", () => {
    const stated: [string, string][] = [];
    for (const row of read('README.md').matchAll(/^\| (`[A-Z][^|]*) \| ([^|]*) \|/gm)) {
      const names = row[1]!.split(' / ').map((name) => /^`([A-Z][A-Z0-9_]*)`$/.exec(name.trim())?.[1]);
      const values = row[2]!.split(' / ').map((value) => /^`([^`]*)`$/.exec(value.trim())?.[1]);
      names.forEach((name, i) => {
        if (name !== undefined && values.length === names.length && values[i] !== undefined)
          stated.push([name, values[i]]);
      });
    }
    const checked = stated.filter(([name]) => ['number', 'boolean'].includes(typeof defaults[name]));
    expect(checked.length).toBeGreaterThan(40);
    expect(checked.filter(([name, value]) => String(defaults[name]) !== value)).toEqual([]);
  });

  it("the plugin SDK's README states the plugin limits' defaults", () => {
    const sdk = read('libs/plugin-sdk/README.md').replace(/\s+/g, ' ');
    expect(sdk).toContain(`\`PLUGIN_CPU_MS\`, default ${String(defaults['PLUGIN_CPU_MS'])} ms`);
    expect(sdk).toContain(`\`PLUGIN_MEMORY_MB\`, default ${String(defaults['PLUGIN_MEMORY_MB'])} MiB`);
  });
});
