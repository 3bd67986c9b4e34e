// Integration: the real express + socket.io server, real PTYs running local
// bash shells through the LocalShellStandInProvider (a stand-in for kind
// nodes), and socket.io-client acting like the page.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { LocalShellStandInProvider } from '../cluster/local-shell-stand-in.js';
import { generateToken } from '../http/auth.js';
import { startServer, type RunningServer } from '../http/server.js';
import { CSRF_HEADER, FLOW, SESSION_PATH, TERMINAL_NAMESPACE, sessionResponseSchema } from '../protocol.js';
import { request } from '../http/test-requests.js';
import { CLUSTER_DISABLED_MESSAGE, DISPLACED_MESSAGE } from './socket.js';
import { BATCH_MAX_CHARS } from './terminal-session.js';
import { TerminalTestClient, type TerminalClientOptions } from './test-client.js';

const PROMPT = /root@control-plane:[^\r\n]*# $/;

const webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hardening-lab-web-'));
const clients: TerminalTestClient[] = [];

async function start(overrides: { clusterEnabled?: boolean; maxTerminals?: number; terminalGraceMs?: number } = {}) {
  const token = generateToken();
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    token,
    provider: new LocalShellStandInProvider(),
    webDir,
    log: () => undefined,
    ...overrides,
  });
  return { server, token };
}

function connect(
  server: RunningServer,
  token: string,
  options: Partial<TerminalClientOptions> = {},
): TerminalTestClient {
  const client = new TerminalTestClient({ url: server.url, token, target: 'control-plane', ...options });
  clients.push(client);
  return client;
}

/** What the page holds: a credential from the token exchange, made on our own origin. */
async function pageCredential(server: RunningServer, token: string): Promise<string> {
  const reply = await request(server.port, SESSION_PATH, {
    method: 'POST',
    headers: { origin: server.url, 'content-type': 'application/json', [CSRF_HEADER]: '1' },
    body: JSON.stringify({ token }),
  });
  return sessionResponseSchema.parse(JSON.parse(reply.body)).credential;
}

async function ready(client: TerminalTestClient): Promise<void> {
  await client.waitFor(PROMPT);
}

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

describe('terminal socket with the local-shell stand-in provider', () => {
  let server: RunningServer;
  let token: string;

  beforeAll(async () => {
    ({ server, token } = await start({ maxTerminals: 32, terminalGraceMs: 60_000 }));
  });
  afterAll(async () => {
    await server.close();
  });

  it('emits session, then snapshot, then live output, and runs what is typed', async () => {
    const client = connect(server, token);
    const info = await client.session;
    expect(info.target).toBe('control-plane');
    expect(info.reattached).toBe(false);
    expect(info.sessionId).toMatch(/^[A-Za-z0-9_-]{22,64}$/);
    await ready(client);
    const from = client.received.length;
    client.send('echo hello-$((40+2))\r');
    await client.waitFor(/hello-42\r\n/, { from });
    expect(client.events.slice(0, 3)).toEqual(['session', 'snapshot', 'output']);
  });

  it('gives a reattaching page a snapshot with earlier output (scrollback included)', async () => {
    const first = connect(server, token, { rows: 10 });
    const { sessionId } = await first.session;
    await ready(first);
    // 50 lines on a 10-row screen: the marker scrolls into the scrollback.
    first.send('echo early-$((1+1))-marker; seq 1 50\r');
    await first.waitFor(/\n50\r\n[^]*# $/);
    first.close();
    await first.until(() => first.socket.disconnected, 2_000, 'disconnect');

    const second = connect(server, token, { sessionId, rows: 10 });
    const info = await second.session;
    expect(info).toEqual({ sessionId, target: 'control-plane', reattached: true });
    const snapshot = await second.snapshot;
    expect(snapshot).toContain('early-2-marker');
    expect(snapshot).toContain('50');
    // And it is the same shell, not a new one.
    const from = second.received.length;
    second.send('echo again-$((2+2))\r');
    await second.waitFor('again-4', { from });
  });

  it('never reattaches to a session on another target, and ignores unknown ids', async () => {
    const cp = connect(server, token);
    const { sessionId } = await cp.session;
    await ready(cp);
    const worker = connect(server, token, { target: 'worker', sessionId });
    const info = await worker.session;
    expect(info.reattached).toBe(false);
    expect(info.sessionId).not.toBe(sessionId);
    await worker.waitFor(/root@worker:/);

    const unknown = connect(server, token, { sessionId: 'AAAAAAAAAAAAAAAAAAAAAAAA' });
    const fresh = await unknown.session;
    expect(fresh.reattached).toBe(false);
    expect(fresh.sessionId).not.toBe('AAAAAAAAAAAAAAAAAAAAAAAA');
    // The original viewer was not displaced by either.
    expect(cp.problems).toEqual([]);
  });

  it('lets a new page take a session over; the old one is told why and disconnected', async () => {
    const first = connect(server, token);
    const { sessionId } = await first.session;
    await ready(first);
    const second = connect(server, token, { sessionId });
    await second.snapshot;
    await first.until(() => first.socket.disconnected, 3_000, 'the displaced socket to be disconnected');
    expect(first.problems).toEqual([DISPLACED_MESSAGE]);
    const from = second.received.length;
    second.send('echo still-$((3*3))\r');
    await second.waitFor('still-9', { from });
  });

  it('resizes the PTY: stty size reports the new size', async () => {
    const client = connect(server, token, { cols: 80, rows: 24 });
    await ready(client);
    client.socket.emit('resize', { cols: 133, rows: 41 });
    const from = client.received.length;
    client.send('stty size\r');
    await client.waitFor(/41 133\r\n/, { from });
  });

  it('drops malformed messages and keeps serving', async () => {
    const client = connect(server, token);
    await ready(client);
    const raw = client.socket as unknown as { emit(event: string, ...args: unknown[]): void };
    raw.emit('input', { not: 'a string' });
    raw.emit('resize', { cols: 'wide', rows: -1 });
    raw.emit('resize', { cols: 100_000, rows: 10 });
    raw.emit('ack', -5);
    raw.emit('ack', 'lots');
    const from = client.received.length;
    client.send('stty size; echo ok-$((5+5))\r');
    await client.waitFor(/24 80\r\nok-10/, { from });
    expect(client.socket.connected).toBe(true);
  });

  it('Ctrl-C stops a `yes` flood and the prompt returns quickly while the client acks', async () => {
    const client = connect(server, token);
    await ready(client);
    client.send('yes\r');
    await client.until(() => client.received.length > 2_000_000, 15_000, '2 MB of `yes`');
    const from = client.received.length;
    const started = performance.now();
    client.send('\x03');
    await client.waitFor(PROMPT, { from, timeoutMs: 5_000 });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(1_000);
    // What the server sent beyond the prompt never outran the watermark.
    expect(client.maxUnacked).toBeLessThanOrEqual(FLOW.high + BATCH_MAX_CHARS);
  });

  it('pauses the PTY when the client stops acknowledging, and resumes on acks', async () => {
    const client = connect(server, token);
    await ready(client);
    client.flushAcks(true);
    client.autoAck = false;
    const base = client.received.length;
    client.send('yes\r');
    // Wait until output stops arriving.
    let last = -1;
    await client.until(() => client.received.length > base + FLOW.high, 10_000, 'output up to the watermark');
    while (client.received.length !== last) {
      last = client.received.length;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(client.received.length - base).toBeLessThanOrEqual(FLOW.high + BATCH_MAX_CHARS);
    const { sessionId } = await client.session;
    const session = server.terminals.get(sessionId);
    expect(session?.unacknowledged).toBeLessThanOrEqual(FLOW.high + BATCH_MAX_CHARS);

    // Acknowledge everything: output flows again.
    const stalledAt = client.received.length;
    client.autoAck = true;
    client.flushAcks(true);
    await client.until(() => client.received.length > stalledAt + 10 * FLOW.high, 10_000, 'output to resume');
    client.send('\x03');
    await client.waitFor(PROMPT, { from: client.received.length - 1 });
  });

  it('reports the shell exit and disconnects', async () => {
    const client = connect(server, token);
    const { sessionId } = await client.session;
    await ready(client);
    client.send('exit 3\r');
    await client.until(() => client.exit !== null, 5_000, 'exit');
    expect(client.exit).toEqual({ code: 3, signal: null });
    await client.until(() => client.socket.disconnected, 2_000, 'disconnect');
    expect(server.terminals.get(sessionId)).toBeUndefined();
  });

  it('refuses an unknown target in plain words', async () => {
    const client = connect(server, token, { target: 'no-such-node' });
    await client.until(() => client.problems.length > 0, 3_000, 'a problem');
    expect(client.problems[0]).toMatch(/no node called "no-such-node"/);
    await client.until(() => client.socket.disconnected, 2_000, 'disconnect');
  });

  it('refuses a malformed handshake', async () => {
    const client = connect(server, token, { target: 'Bad Target!' });
    await client.until(() => client.problems.length > 0, 3_000, 'a problem');
    expect(client.problems[0]).toMatch(/Reload the page/);
  });
});

describe('terminal socket limits and modes (local-shell stand-in)', () => {
  it('explains that the cluster is not running when started without one', async () => {
    const { server, token } = await start({ clusterEnabled: false });
    try {
      const client = connect(server, token);
      await client.until(() => client.socket.disconnected && client.problems.length > 0, 3_000, 'problem + disconnect');
      expect(client.problems).toEqual([CLUSTER_DISABLED_MESSAGE]);
      expect(server.terminals.size).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('bounds the number of terminals with a clear message', async () => {
    const { server, token } = await start({ maxTerminals: 2 });
    try {
      const a = connect(server, token);
      const b = connect(server, token, { target: 'worker' });
      await Promise.all([a.session, b.session]);
      const c = connect(server, token);
      await c.until(() => c.problems.length > 0, 3_000, 'a problem');
      expect(c.problems[0]).toMatch(/Too many terminals are open \(2\)/);
      expect(server.terminals.size).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('reaps a detached terminal after the grace period; reattaching then gives a new shell', async () => {
    const { server, token } = await start({ terminalGraceMs: 300 });
    try {
      const first = connect(server, token);
      const { sessionId } = await first.session;
      await ready(first);
      first.close();
      await first.until(() => first.socket.disconnected, 2_000, 'disconnect');
      expect(server.terminals.get(sessionId)).toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(server.terminals.get(sessionId)).toBeUndefined();
      const again = connect(server, token, { sessionId });
      const info = await again.session;
      expect(info.reattached).toBe(false);
      expect(info.sessionId).not.toBe(sessionId);
    } finally {
      await server.close();
    }
  });

  it('does not reap an attached terminal', async () => {
    const { server, token } = await start({ terminalGraceMs: 200 });
    try {
      const client = connect(server, token);
      const { sessionId } = await client.session;
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(server.terminals.get(sessionId)).toBeDefined();
    } finally {
      await server.close();
    }
  });
});

describe('terminal socket security probes (local-shell stand-in)', () => {
  let server: RunningServer;
  let token: string;

  beforeAll(async () => {
    ({ server, token } = await start());
  });
  afterAll(async () => {
    await server.close();
  });

  const auth = { target: 'control-plane', cols: 80, rows: 24 };

  async function expectRefused(options: Parameters<typeof io>[1]): Promise<void> {
    const socket = io(`${server.url}${TERMINAL_NAMESPACE}`, { forceNew: true, reconnection: false, auth, ...options });
    try {
      const outcome = await new Promise<string>((resolve) => {
        socket.once('connect', () => resolve('connected'));
        socket.once('connect_error', () => resolve('connect_error'));
        socket.once('session', () => resolve('session'));
      });
      expect(outcome).toBe('connect_error');
      expect(server.terminals.size).toBe(0);
    } finally {
      socket.disconnect();
    }
  }

  it('refuses a socket without a token', async () => {
    await expectRefused({ transports: ['websocket'] });
    await expectRefused({ transports: ['polling'] });
  });

  it('refuses a wrong token (auth payload, bearer)', async () => {
    const wrong = generateToken();
    await expectRefused({
      transports: ['websocket'],
      auth: { ...auth, credential: wrong },
      extraHeaders: { origin: server.url },
    });
    await expectRefused({ transports: ['polling'], extraHeaders: { authorization: `Bearer ${wrong}` } });
  });

  it('refuses the right token where older versions took it: a cookie or the query', async () => {
    await expectRefused({
      transports: ['websocket'],
      extraHeaders: { cookie: `hardening_lab_token=${token}`, origin: server.url },
    });
    await expectRefused({ transports: ['websocket'], query: { token }, extraHeaders: { origin: server.url } });
  });

  it('refuses a foreign Host header even with the right token (DNS rebinding)', async () => {
    await expectRefused({
      transports: ['websocket'],
      extraHeaders: { authorization: `Bearer ${token}`, host: 'evil.example' },
    });
  });

  it('refuses a foreign, null or other-port Origin even with the right credential', async () => {
    const credential = await pageCredential(server, token);
    for (const origin of [
      'http://evil.example',
      'null',
      'http://localhost.evil.example',
      `http://127.0.0.1:${server.port + 1}`,
    ]) {
      await expectRefused({
        transports: ['websocket'],
        auth: { ...auth, credential },
        extraHeaders: { authorization: `Bearer ${token}`, origin },
      });
    }
  });

  it('accepts the page credential in the auth payload from our exact Origin (the control for the probes above)', async () => {
    const socket = io(`${server.url}${TERMINAL_NAMESPACE}`, {
      forceNew: true,
      reconnection: false,
      transports: ['websocket'],
      auth: { ...auth, credential: await pageCredential(server, token) },
      extraHeaders: { origin: server.url },
    });
    try {
      const info = await new Promise<unknown>((resolve, reject) => {
        socket.once('session', resolve);
        socket.once('connect_error', reject);
      });
      expect(info).toMatchObject({ target: 'control-plane', reattached: false });
    } finally {
      socket.disconnect();
    }
  });

  it('refuses a raw websocket upgrade without a token (no 101)', async () => {
    const port = server.port;
    const status = await new Promise<number | string>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port,
        path: '/socket.io/?EIO=4&transport=websocket',
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': Buffer.from('0123456789abcdef').toString('base64'),
        },
      });
      req.on('upgrade', (_res, socket) => {
        socket.destroy();
        resolve('upgraded');
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).not.toBe('upgraded');
    expect(typeof status === 'number' && status >= 400).toBe(true);
  });
});
