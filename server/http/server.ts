// The HTTP + websocket server: auth, Host/Origin checks, CSP, the API, the
// built web page, and the socket.io namespaces. Everything a request touches
// passes the same gate, including the websocket upgrade (allowRequest).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';
import { Server as SocketServer } from 'socket.io';
import type { ClusterProvider } from '../cluster/provider.js';
import { PROJECT_ROOT, DEFAULT_TERMINAL_GRACE_MS } from '../config.js';
import { CSRF_HEADER, EVENTS_NAMESPACE, TERMINAL_NAMESPACE, type ClusterProgress, type ClusterStatus } from '../protocol.js';
import { authCookie, isAuthenticated, tokensMatch } from './auth.js';
import { createAllowList, hostAllowed, originAllowed } from './host-origin.js';
import { securityHeaders } from './security-headers.js';
import { TerminalManager } from '../terminals/terminal-manager.js';
import { registerTerminalNamespace } from '../terminals/socket.js';

/** Progress lines kept for pages that connect late. */
const MAX_PROGRESS_REPLAY = 200;

export interface ServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  token: string;
  provider: ClusterProvider;
  /** False with `serve --no-cluster`: the page works, the cluster is "disabled". */
  clusterEnabled?: boolean;
  /** Extra host names to answer to (beyond loopback and the bind host). */
  allowedHosts?: string[];
  /** Built web page; defaults to web/dist. */
  webDir?: string;
  terminalGraceMs?: number;
  maxTerminals?: number;
  /** API routers mounted under /api after auth (the lab engine adds its own). */
  apiRouters?: Router[];
  log?: (line: string) => void;
}

export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:7681 */
  url: string;
  /** The URL with the token, printed once for the learner. */
  startUrl: string;
  port: number;
  terminals: TerminalManager;
  /** Push cluster progress to every open page. */
  publishProgress(event: ClusterProgress): void;
  /** Let the page know the cluster changed (created, deleted). */
  publishStatus(status: ClusterStatus): void;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const allow = createAllowList(options.host, options.allowedHosts);
  const webDir = options.webDir ?? path.join(PROJECT_ROOT, 'web', 'dist');
  const clusterEnabled = options.clusterEnabled ?? true;
  const terminals = new TerminalManager({
    provider: options.provider,
    graceMs: options.terminalGraceMs ?? DEFAULT_TERMINAL_GRACE_MS,
    maxSessions: options.maxTerminals ?? 16,
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(securityHeaders);

  // Host first: a rebinding attacker must not even learn whether auth exists.
  app.use((req, res, next) => {
    if (!hostAllowed(req, allow)) {
      res.status(403).type('text/plain').send('Forbidden: unexpected Host header.\n');
      return;
    }
    next();
  });

  // Token in the URL → cookie, then redirect to the same path without it, so
  // the secret leaves the address bar and the history.
  app.use((req, res, next) => {
    const url = new URL(req.originalUrl, 'http://localhost');
    const queryToken = url.searchParams.get('token');
    if (queryToken !== null && req.method === 'GET') {
      if (!tokensMatch(options.token, queryToken)) {
        res.status(401).type('text/plain').send('Unauthorized: the token in this link is wrong. Use the link the server printed.\n');
        return;
      }
      url.searchParams.delete('token');
      res.setHeader('Set-Cookie', authCookie(options.token));
      res.redirect(302, url.pathname + (url.search || ''));
      return;
    }
    next();
  });

  app.use((req, res, next) => {
    if (!isAuthenticated(req, options.token)) {
      const wantsHtml = req.accepts(['html', 'json']) === 'html' && !req.path.startsWith('/api/');
      res.status(401);
      if (wantsHtml) {
        res.type('text/html').send(
          '<!doctype html><title>Hardening Lab</title><p>Open the link with <code>?token=…</code> that <code>hardening-lab</code> printed in your terminal.</p>',
        );
      } else {
        res.json({ error: 'unauthorized', message: 'Missing or wrong token.' });
      }
      return;
    }
    next();
  });

  // Cross-site defence for state changes: SameSite=Strict already withholds
  // the cookie; the custom header cannot be sent cross-origin without CORS.
  app.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.header(CSRF_HEADER) !== '1') {
      res.status(403).json({ error: 'csrf', message: `State-changing requests need the ${CSRF_HEADER}: 1 header.` });
      return;
    }
    next();
  });

  app.use(express.json({ limit: '256kb' }));

  const api = express.Router();
  api.get('/status', async (_req, res) => {
    const cluster: ClusterStatus = clusterEnabled
      ? await options.provider.status()
      : {
          name: options.provider.name,
          provider: options.provider.kind,
          state: 'disabled',
          nodes: [],
          message: 'Started with --no-cluster. Run `npm start` (or `hardening-lab up`) to create the cluster.',
        };
    res.json({ cluster, version: '0.1.0' });
  });
  app.use('/api', api);
  for (const router of options.apiRouters ?? []) app.use('/api', router);
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: 'not-found' });
  });

  if (fs.existsSync(path.join(webDir, 'index.html'))) {
    app.use(express.static(webDir, { index: false, maxAge: '1h' }));
    // Client-side routes all get the page.
    app.get(/^\/(?!api\/|socket\.io\/).*/, (_req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      res.sendFile(path.join(webDir, 'index.html'));
    });
  } else {
    app.get('/', (_req, res) => {
      res
        .status(503)
        .type('text/plain')
        .send('The web page is not built. Run `npm run build:web` (npm start does this for you).\n');
    });
  }

  const httpServer = http.createServer(app);
  const io = new SocketServer(httpServer, {
    serveClient: false,
    maxHttpBufferSize: 1_000_000,
    // The websocket upgrade never reaches express: check everything here too.
    allowRequest: (req, callback) => {
      if (!hostAllowed(req, allow)) return callback('forbidden host', false);
      if (!originAllowed(req, allow)) return callback('forbidden origin', false);
      if (!isAuthenticated(req, options.token)) return callback('unauthorized', false);
      callback(null, true);
    },
  });
  registerTerminalNamespace(io.of(TERMINAL_NAMESPACE), terminals, clusterEnabled);
  const events = io.of(EVENTS_NAMESPACE);
  // A page opened (or reloaded) mid-creation replays what it missed, so the
  // learner sees the whole progress log, not just the lines after it arrived.
  const progressLog: ClusterProgress[] = [];
  events.on('connection', (socket) => {
    for (const event of progressLog) socket.emit('cluster-progress', event);
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const address = httpServer.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const displayHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : hostForUrl;
  const url = `http://${displayHost}:${address.port}`;

  return {
    url,
    startUrl: `${url}/?token=${encodeURIComponent(options.token)}`,
    port: address.port,
    terminals,
    publishProgress: (event) => {
      progressLog.push(event);
      if (progressLog.length > MAX_PROGRESS_REPLAY) progressLog.shift();
      events.emit('cluster-progress', event);
    },
    publishStatus: (status) => events.emit('cluster-status', status),
    close: async () => {
      terminals.dispose();
      await new Promise<void>((resolve) => {
        void io.close(() => resolve());
      });
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      log('server closed');
    },
  };
}
