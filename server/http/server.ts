// The HTTP + websocket server: the request gate (Host, exact Origin, the
// credential), CSP, the token exchange, the API, the built web page, the
// socket.io namespaces, and one JSON error handler. Express requests and
// every engine.io request (which express never sees) pass the same gate.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';
import { Server as SocketServer } from 'socket.io';
import type { ClusterProvider } from '../cluster/provider.js';
import { PROJECT_ROOT, DEFAULT_TERMINAL_GRACE_MS } from '../config.js';
import {
  EVENTS_NAMESPACE,
  START_TOKEN_PARAM,
  TERMINAL_NAMESPACE,
  type ClusterProgress,
  type ClusterStatus,
} from '../protocol.js';
import { Credentials } from './auth.js';
import { jsonErrorHandler, notFound, rejectMalformedPath } from './error-handler.js';
import { createAllowList, isWildcardHost, ownOrigins } from './host-origin.js';
import { expireLegacyCookie } from './legacy-cookie.js';
import { apiGate, checkSocketRequest, senderGate, type GateOptions } from './request-gate.js';
import { securityHeaders } from './security-headers.js';
import { createSessionRouter } from './session-route.js';
import { requireSocketCredential } from './socket-auth.js';
import { TerminalManager } from '../terminals/terminal-manager.js';
import { registerTerminalNamespace } from '../terminals/socket.js';

/** Progress lines kept for pages that connect late. */
const MAX_PROGRESS_REPLAY = 200;

/**
 * The link printed for the learner: the token rides in the fragment, which
 * browsers never send to any server (not ours, not in a Referer), and the
 * page removes it from the address bar at once.
 */
export function formatStartUrl(base: string, token: string, query = ''): string {
  return `${base}/${query}#${START_TOKEN_PARAM}=${encodeURIComponent(token)}`;
}

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
  /**
   * Extra exact origins (scheme://host:port) whose pages may use the server:
   * the Vite dev server during development. Empty by default.
   */
  allowedOrigins?: string[];
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
  /** The URL with the token in its fragment, printed once for the learner. */
  startUrl: string;
  /** Every origin whose pages may use the server (our host names at our port, plus allowedOrigins). */
  origins: ReadonlySet<string>;
  port: number;
  terminals: TerminalManager;
  /** Push cluster progress to every open page. */
  publishProgress(event: ClusterProgress): void;
  /** Let the page know the cluster changed (created, deleted). */
  publishStatus(status: ClusterStatus): void;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  // Whatever a caller logs through us, the token never reaches the log.
  const rawLog = options.log ?? ((line: string) => console.log(line));
  const log = (line: string): void => rawLog(line.split(options.token).join('[token]'));
  const allow = createAllowList(options.host, options.allowedHosts);
  for (const origin of options.allowedOrigins ?? []) {
    if (URL.parse(origin)?.origin !== origin) throw new Error(`Not an origin (scheme://host:port): ${origin}`);
  }
  const credentials = new Credentials(options.token);
  // Filled in once we listen: the port is only known then (0 in tests).
  const origins = new Set<string>();
  const gate: GateOptions = { allow, origins, credentials };
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
  // Host and Origin first: a rebinding or cross-origin page must not even
  // learn whether a route exists.
  app.use(senderGate(gate));
  app.use(rejectMalformedPath);
  app.use(expireLegacyCookie);

  app.use(createSessionRouter(credentials));
  app.use('/api', apiGate(gate));
  app.use('/api', express.json({ limit: '256kb' }));

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
  app.use('/api', notFound);

  // The page: static files, no credential needed (they hold no secret; the
  // API and the sockets do the guarding).
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
  app.use(notFound);
  app.use(jsonErrorHandler(log));

  const httpServer = http.createServer(app);
  const io = new SocketServer(httpServer, { serveClient: false, maxHttpBufferSize: 1_000_000 });
  // Every engine.io request — the handshake, each later polling request of a
  // session, the websocket upgrade — never reaches express. allowRequest
  // would see only the handshake: a request carrying a session id skips it.
  io.engine.use((req: http.IncomingMessage, res: http.ServerResponse, next: (error?: Error) => void) => {
    const refusal = checkSocketRequest(req, gate);
    if (!refusal) return next();
    if (res instanceof http.ServerResponse) {
      // Answered here, so the session (if any) never sees the request.
      res.writeHead(refusal.status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ error: refusal.code, message: refusal.message }));
      return;
    }
    // An upgrade: engine.io answers 400 and closes the connection.
    next(refusal);
  });
  const terminalNamespace = io.of(TERMINAL_NAMESPACE);
  const events = io.of(EVENTS_NAMESPACE);
  for (const nsp of [io.of('/'), terminalNamespace, events]) requireSocketCredential(nsp, credentials);
  registerTerminalNamespace(terminalNamespace, terminals, clusterEnabled);
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
  for (const origin of ownOrigins(allow, address.port, options.allowedOrigins)) origins.add(origin);
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const displayHost = isWildcardHost(options.host) ? '127.0.0.1' : hostForUrl;
  const url = `http://${displayHost}:${address.port}`;

  return {
    url,
    startUrl: formatStartUrl(url, options.token),
    origins,
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
      // Stop listening, then end every connection at once: httpServer.close
      // alone waits for busy ones (a request in flight, a client still
      // sending headers) until their timeouts, up to a minute.
      const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeAllConnections();
      // Disconnects the sockets and engine.io; its own httpServer.close then
      // answers "not running", which is expected here.
      await new Promise<void>((resolve) => {
        void io.close(() => resolve());
      });
      await stopped;
      log('server closed');
    },
  };
}
