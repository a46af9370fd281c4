// See jest-global-setup.mjs.
await import('@swc-node/register/esm-register');

export default async function globalTeardown(...args) {
  const { default: teardown } = await import('./global-teardown.ts');
  return teardown(...args);
}
