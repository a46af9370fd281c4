// Prisma's schema engine (migrations) as WebAssembly, driven through a driver adapter. The Prisma
// CLI's native engine cannot be downloaded on every machine, and the wasm engine also speaks to
// PGlite, so one code path migrates PostgreSQL and the embedded database alike.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';

let loaded: Promise<void> | undefined;

// The project's lib settings (no DOM) carry no WebAssembly typings; this is the part used here.
const wasmApi = (
  globalThis as unknown as {
    WebAssembly: {
      instantiate(
        bytes: Uint8Array,
        imports: Record<string, Record<string, unknown>>,
      ): Promise<{ instance: { exports: Record<string, unknown> } }>;
    };
  }
).WebAssembly;

/**
 * The package's entry does `import * as wasm from "./x.wasm"`, which Node (and Jest) cannot load,
 * so the module is compiled by hand against the package's own JS bindings. The bindings keep the
 * instance in module state: one instance per process, loaded once.
 */
function loadWasm(): Promise<void> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    const bindingsFile = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(join(dirname(bindingsFile), 'schema_engine_bg.wasm'));
    // The engine arms a timer (≈10 s) that would keep a finished process alive: unref it.
    const imports: Record<string, unknown> = { ...bindings };
    for (const name of Object.keys(imports).filter((n) => n.startsWith('__wbg_setTimeout_'))) {
      imports[name] = (fn: () => void, ms: number) => setTimeout(fn, ms >>> 0).unref();
    }
    const { instance } = await wasmApi.instantiate(bytes, { './schema_engine_bg.js': imports });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
  })();
  return loaded;
}

/** Starts a schema engine over `adapterFactory` for the given Prisma schema (path, content). */
export async function startSchemaEngine(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  schema: { path: string; content: string },
  log: (message: string) => void = () => {},
): Promise<SchemaEngine> {
  process.env['CHECKPOINT_DISABLE'] ??= '1';
  await loadWasm();
  return bindings.SchemaEngine.new(
    { datamodels: [[schema.path, schema.content]] },
    log,
    bindMigrationAwareSqlAdapterFactory(adapterFactory),
  );
}
