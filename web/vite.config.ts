import { defineConfig } from 'vite';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

// `npm run dev:web` (hot reload while working on the page) talks to a running
// Hardening Lab server. The proxy presents the server's token as a Bearer
// header, so start the server with a fixed token:
//   HARDENING_LAB_TOKEN=dev npm run serve   # and, in another shell:
//   HARDENING_LAB_TOKEN=dev npm run dev:web
const backend = process.env.HARDENING_LAB_URL ?? 'http://127.0.0.1:7681';
const token = process.env.HARDENING_LAB_TOKEN;
const auth = token ? { Authorization: `Bearer ${token}` } : undefined;

// The page is served by our own server (auth, CSP); in production Vite only builds it.
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
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: backend, changeOrigin: true, ...(auth ? { headers: auth } : {}) },
      '/socket.io': { target: backend, changeOrigin: true, ws: true, ...(auth ? { headers: auth } : {}) },
    },
  },
  oxc: { jsx: { runtime: 'automatic' } },
});
