// Jest loads globalSetup/globalTeardown outside its module system: a `.ts` file there is compiled
// to CommonJS without `moduleNameMapper`, so `./x.js` → `x.ts` and `@tributary/*` do not resolve.
// These shims register swc-node's ESM loader (as `node --import @swc-node/register/esm-register`
// does for scripts) and load the TypeScript hooks through it.
await import('@swc-node/register/esm-register');

export default async function globalSetup(...args) {
  const { default: setup } = await import('./global-setup.ts');
  return setup(...args);
}
