// The Vite dev server as `npm run dev:web` runs it (web/vite.config.ts), in
// front of a recording TEST DOUBLE for the Hardening Lab server. Even with a
// token in the environment, the proxy must add no credential: anything that
// could reach the dev server would otherwise get the API and root shells.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';
import { PROJECT_ROOT } from '../../server/config.js';
import { request } from '../../server/http/test-requests.js';

const TOKEN = 'dev-proxy-token-0123456789abcdef';

describe('the Vite dev proxy', () => {
  const seen: http.IncomingHttpHeaders[] = [];
  let backend: http.Server;
  let vite: ViteDevServer;
  let port: number;
  const saved = { url: process.env.HARDENING_LAB_URL, token: process.env.HARDENING_LAB_TOKEN };

  beforeAll(async () => {
    backend = http.createServer((req, res) => {
      seen.push(req.headers);
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    process.env.HARDENING_LAB_URL = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
    // What the old workflow set: the proxy used to turn it into a bearer header.
    process.env.HARDENING_LAB_TOKEN = TOKEN;
    vite = await createServer({
      configFile: path.join(PROJECT_ROOT, 'web', 'vite.config.ts'),
      // Any free port: 5173 may be taken on a shared machine.
      server: { port: 0, strictPort: false, hmr: false },
      logLevel: 'silent',
    });
    await vite.listen();
    port = (vite.httpServer?.address() as AddressInfo).port;
  }, 60_000);

  afterAll(async () => {
    await vite?.close();
    await new Promise((resolve) => backend?.close(resolve));
    process.env.HARDENING_LAB_URL = saved.url;
    process.env.HARDENING_LAB_TOKEN = saved.token;
    if (saved.url === undefined) delete process.env.HARDENING_LAB_URL;
    if (saved.token === undefined) delete process.env.HARDENING_LAB_TOKEN;
  });

  it('forwards API requests without adding a credential, and leaves Origin for the server to judge', async () => {
    seen.length = 0;
    const reply = await request(port, '/api/status', { headers: { origin: 'http://127.0.0.1:8080' } });
    expect(reply.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.authorization).toBeUndefined();
    expect(JSON.stringify(seen[0])).not.toContain(TOKEN);
    expect(seen[0]?.origin).toBe('http://127.0.0.1:8080');
  });

  it('lets no other origin read from it (no CORS, not even for other localhost ports)', async () => {
    const reply = await request(port, '/api/status', {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:8080',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(reply.headers['access-control-allow-origin']).toBeUndefined();
    const page = await request(port, '/', { headers: { origin: 'http://localhost:8080' } });
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
  });
});
