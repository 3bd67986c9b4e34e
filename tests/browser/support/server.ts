// The real server (express + socket.io + auth + the built page) in-process,
// with the LocalShellStandInProvider TEST DOUBLE: its "nodes" are local bash
// shells, not kind containers. Browser tests exercise the page, the wire
// protocol and the terminal plumbing; the cluster tier covers real nodes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Router } from 'express';
import type { ClusterProvider } from '../../../server/cluster/provider.js';
import { LocalShellStandInProvider } from '../../../server/cluster/local-shell-stand-in.js';
import { PROJECT_ROOT } from '../../../server/config.js';
import { generateToken } from '../../../server/http/auth.js';
import { formatStartUrl, startServer, type RunningServer } from '../../../server/http/server.js';

export const WEB_DIST = path.join(PROJECT_ROOT, 'web', 'dist');

export interface TestServer {
  server: RunningServer;
  token: string;
  /** The URL the CLI would print (token in the fragment), plus the test hooks in the query. */
  startUrl: string;
  /** Working directory of the stand-in "node" shells. */
  home: string;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Working directory of the stand-in shells (a fresh temp dir by default). */
  home?: string;
  apiRouters?: Router[];
  /** Another test double in place of the plain stand-in (e.g. a slow one); `home` is then ignored. */
  provider?: ClusterProvider;
  /** Fixed port and token: a "restarted" server the open page can reconnect to. */
  port?: number;
  token?: string;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) {
    throw new Error('web/dist is missing: run `npm run build:web` first (`npm test` does it for you).');
  }
  const token = options.token ?? generateToken();
  const home = options.home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hardening-lab-browser-'));
  const server = await startServer({
    host: '127.0.0.1',
    port: options.port ?? 0,
    token,
    provider: options.provider ?? new LocalShellStandInProvider({ home }),
    webDir: WEB_DIST,
    terminalGraceMs: 60_000,
    log: () => undefined,
    ...(options.apiRouters ? { apiRouters: options.apiRouters } : {}),
  });
  return {
    server,
    token,
    home,
    startUrl: formatStartUrl(server.url, token, '?testHooks=1'),
    close: () => server.close(),
  };
}
