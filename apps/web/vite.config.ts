import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// The web app is served by the API under /web/ (index.html at /): see apps/api/src/web. It is built
// into dist/web of this checkout by tools/scripts/build-web.mjs; nothing is loaded from elsewhere.
export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  base: '/web/',
  plugins: [preact()],
  // `npx vite apps/web`: the app with hot reload, talking to an API started by `npm start` (port 3000).
  server: { proxy: { '/graphql': { target: 'http://127.0.0.1:3000', ws: true } } },
  build: {
    outDir: new URL('../../dist/web', import.meta.url).pathname,
    emptyOutDir: true,
    target: 'es2022',
    // Below this, Vite would inline assets as data: URLs; the CSP allows images from data: but
    // scripts and styles only from 'self', so everything stays a file.
    assetsInlineLimit: 0,
  },
});
