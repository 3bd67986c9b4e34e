import { defineConfig } from 'vite';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

// The page is served by our own server (auth, CSP); Vite only builds it.
export default defineConfig({
  root: here,
  base: '/',
  build: { outDir: path.join(here, 'dist'), emptyOutDir: true, sourcemap: true },
  esbuild: { jsx: 'automatic' },
  oxc: { jsx: { runtime: 'automatic' } },
});
