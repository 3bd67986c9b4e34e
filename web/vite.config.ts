import { defineConfig } from 'vite';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

// The page is served by our own server (auth, CSP); Vite only builds it.
export default defineConfig({
  root: here,
  base: '/',
  build: {
    outDir: path.join(here, 'dist'),
    emptyOutDir: true,
    sourcemap: true,
    // One bundle (xterm.js + React + zod + marked ≈ 770 kB) served from
    // localhost and cached: splitting it would buy nothing here.
    chunkSizeWarningLimit: 1000,
    // The CSP is script-src 'self': no inline module-preload polyfill.
    modulePreload: { polyfill: false },
  },
  oxc: { jsx: { runtime: 'automatic' } },
});
