// One Jest run for the whole workspace: unit tests (`*.spec.ts`, no services) and integration tests
// (`*.int-spec.ts`, real PostgreSQL, Redis and the Bluesky reference network), ESM throughout.
import { readFileSync } from 'node:fs';

// Tests run in a zone far from UTC (UTC+14, no daylight saving time), so that code reading or writing
// times in the process's zone fails here rather than on a server outside UTC. Jest's workers inherit it.
process.env.TZ = 'Pacific/Kiritimati';

const tsconfig = JSON.parse(readFileSync(new URL('./tsconfig.base.json', import.meta.url), 'utf8'));
const aliases = Object.fromEntries(
  Object.entries(tsconfig.compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias}$`,
    `<rootDir>/${target}`,
  ]),
);

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2024',
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

const common = {
  rootDir: '.',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { ...aliases, '^(\\.{1,2}/.*)\\.js$': '$1' },
  // Anchored at the root: the checkout itself may live under /tmp.
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/dist/',
    '<rootDir>/data/',
    '<rootDir>/tmp/',
    '<rootDir>/.toolchain/',
  ],
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/tmp/', '<rootDir>/.toolchain/'],
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/jest-global-setup.mjs',
      globalTeardown: '<rootDir>/libs/testing/src/jest-global-teardown.mjs',
    },
  ],
  // A global option (ignored inside `projects`): integration hooks start servers and networks.
  testTimeout: 60_000,
  // Test files run in a worker process that is replaced once it holds more than this after a file:
  // on a 2-core machine Jest would otherwise run all 130 files inside its own process, whose heap
  // grows with every file's modules (ESM under vm modules is never freed) until V8 gives up (4 GB).
  workerIdleMemoryLimit: '1536MB',
  // Every suite stops what it starts; this only keeps one leaked timer from hanging CI until its
  // time limit instead of failing fast.
  forceExit: true,
};
