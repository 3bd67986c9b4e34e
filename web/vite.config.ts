import { defineConfig } from 'vite';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

// `npm run dev:web` (hot reload while working on the page) talks to a running
// Hardening Lab server through the proxy below. The proxy adds no
// credential: it would hand the API and root terminals to any local process
// that can reach this port. The page signs in as it always does, from the
// start URL, and the server accepts the dev server's exact origin only when
// told to:
//   npm run serve -- --no-cluster --allow-origin http://127.0.0.1:5173
//   npm run dev:web
//   then open the "Development page" link the server printed.
const backend = process.env.HARDENING_LAB_URL ?? 'http://127.0.0.1:7681';

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
    port: 5173,
    // The origin the server was told to allow; another port would be refused.
    strictPort: true,
    // No other origin may read from the dev server (Vite's default lets every
    // localhost port in), nor send through its proxy with CORS.
    cors: false,
    proxy: {
      // changeOrigin rewrites Host (the server's rebinding check); the
      // Origin header goes through untouched, for the server to judge.
      '/api': { target: backend, changeOrigin: true },
      '/socket.io': { target: backend, changeOrigin: true, ws: true },
    },
  },
  oxc: { jsx: { runtime: 'automatic' } },
});
