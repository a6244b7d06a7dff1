// Builds the playground into dist/playground (shipped in the package, served by `chainrule
// playground`). chainrule comes from its own source through the browser entry, so the page runs
// exactly the library of this checkout; relative asset paths let it run from any static host.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const src = (p: string) => fileURLToPath(new URL(`../src/${p}`, import.meta.url));

export default defineConfig({
  root,
  base: './',
  logLevel: 'warn',
  resolve: {
    alias: [
      { find: /^chainrule\/browser$/, replacement: src('browser.ts') },
      { find: /^#native-loader$/, replacement: src('backend/no-native.ts') },
    ],
  },
  worker: { format: 'es' },
  build: {
    outDir: fileURLToPath(new URL('../dist/playground', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2500,
    reportCompressedSize: false,
  },
});
