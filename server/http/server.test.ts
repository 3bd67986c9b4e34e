// Security probes against a real express + socket.io server (the cluster is
// the local-shell stand-in, a test double: no terminal is opened here). Each
// probe forges what an attacker on this machine could send: another port's
// Origin, a rebinding Host, a token in a cookie or the query, broken URLs.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { io } from 'socket.io-client';
import { formatStartUrl, startServer, type RunningServer } from './server.js';
import { LocalShellStandInProvider } from '../cluster/local-shell-stand-in.js';
import { LEGACY_AUTH_COOKIE } from './legacy-cookie.js';
import { CONTENT_SECURITY_POLICY } from './security-headers.js';
import { CSRF_HEADER, EVENTS_NAMESPACE, SESSION_PATH } from '../protocol.js';
import { rawRequest, request, upgradeStatus, type Reply } from './test-requests.js';

const TOKEN = 'test-token-0123456789abcdef0123456789';
const bearer = { authorization: `Bearer ${TOKEN}` };
/** engine.io answers a refused upgrade with 400 (a plain request it refuses gets 403). */
const REFUSED_UPGRADE = 400;

const webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hardening-lab-web-'));
fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>Hardening Lab</title><div id="root"></div>');

/** Nothing an attacker could learn from an error: no stack frame, no file path, no echo of a secret. */
function expectNothingLeaked(reply: Reply | string): void {
  const text = typeof reply === 'string' ? reply : `${JSON.stringify(reply.headers)}\n${reply.body}`;
  expect(text).not.toContain(TOKEN);
  expect(text).not.toMatch(/\bat .+\(|node_modules|\/work\/|\/home\/|server\.ts|<pre>|stack/i);
}

describe('the request gate (real server, local-shell stand-in cluster)', () => {
  let server: RunningServer;
  let own: string;
  const logs: string[] = [];

  const exchange = (origin: string | undefined, body: string, headers: Record<string, string> = {}) =>
    request(server.port, SESSION_PATH, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [CSRF_HEADER]: '1',
        ...(origin === undefined ? {} : { origin }),
        ...headers,
      },
      body,
    });

  beforeAll(async () => {
    // As a learner runs it: express reads NODE_ENV once, and under vitest
    // ("test") its default error handler would stay silent.
    const savedEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'development';
    try {
      server = await startServer({
        host: '127.0.0.1',
        port: 0,
        token: TOKEN,
        provider: new LocalShellStandInProvider(),
        webDir,
        log: (line) => logs.push(line),
      });
    } finally {
      process.env.NODE_ENV = savedEnv;
    }
    own = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server.close();
    expect(logs.join('\n')).not.toContain(TOKEN);
  });

  it('binds to loopback by default and prints the token in the fragment only', () => {
    expect(server.url).toBe(own);
    const start = new URL(server.startUrl);
    expect(start.search).toBe('');
    expect(start.hash).toBe(`#token=${TOKEN}`);
    expect(formatStartUrl(own, TOKEN, '?testHooks=1')).toBe(`${own}/?testHooks=1#token=${TOKEN}`);
  });

  it('knows its own origins: every allowed host name at its own port, nothing else', () => {
    expect([...server.origins].sort()).toEqual(
      [`http://127.0.0.1:${server.port}`, `http://[::1]:${server.port}`, `http://localhost:${server.port}`].sort(),
    );
  });

  describe('the API', () => {
    it('refuses a request without a credential', async () => {
      const reply = await request(server.port, '/api/status');
      expect(reply.status).toBe(401);
      expect(JSON.parse(reply.body)).toMatchObject({ error: 'unauthorized' });
    });

    it('serves a CLI client that presents the token as a bearer', async () => {
      const reply = await request(server.port, '/api/status', { headers: bearer });
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body).cluster.state).toBe('running');
    });

    it('never takes the token from the query string (it would land in logs and history)', async () => {
      expect((await request(server.port, `/api/status?token=${TOKEN}`)).status).toBe(401);
    });

    it('never takes the token from a cookie, and expires the cookie older versions set', async () => {
      const reply = await request(server.port, '/api/status', {
        headers: { cookie: `a=1; ${LEGACY_AUTH_COOKIE}=${TOKEN}` },
      });
      expect(reply.status).toBe(401);
      expect(reply.headers['set-cookie']?.[0]).toMatch(new RegExp(`^${LEGACY_AUTH_COOKIE}=; Max-Age=0; Path=/`));
    });

    it('never sets a cookie', async () => {
      const replies = await Promise.all([
        request(server.port, '/'),
        request(server.port, '/api/status', { headers: bearer }),
        exchange(own, JSON.stringify({ token: TOKEN })),
      ]);
      for (const reply of replies) expect(reply.headers['set-cookie']).toBeUndefined();
    });

    it('refuses a bearer that is not ours', async () => {
      const wrong = await request(server.port, '/api/status', { headers: { authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);
      const forged = `p1.${'A'.repeat(24)}.${'B'.repeat(43)}`;
      expect(
        (await request(server.port, '/api/status', { headers: { authorization: `Bearer ${forged}` } })).status,
      ).toBe(401);
    });

    it('refuses the credential when a browser labels the request as from another origin (Sec-Fetch-Site)', async () => {
      for (const site of ['same-site', 'cross-site', 'none']) {
        const reply = await request(server.port, '/api/status', { headers: { ...bearer, 'sec-fetch-site': site } });
        expect(reply.status, site).toBe(403);
      }
      const same = await request(server.port, '/api/status', {
        headers: { ...bearer, 'sec-fetch-site': 'same-origin' },
      });
      expect(same.status).toBe(200);
    });

    it('requires the CSRF header on state changes', async () => {
      const reply = await request(server.port, '/api/labs/x/start', {
        method: 'POST',
        headers: { ...bearer, origin: own },
      });
      expect(reply.status).toBe(403);
      expect(reply.body).toContain('x-hardening-lab');
    });

    it('answers no CORS preflight: no other origin is ever allowed to read or send', async () => {
      const reply = await request(server.port, '/api/status', {
        method: 'OPTIONS',
        headers: {
          origin: `http://127.0.0.1:${server.port + 1}`,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,x-hardening-lab',
        },
      });
      expect(reply.status).toBe(403);
      expect(reply.headers['access-control-allow-origin']).toBeUndefined();
      const own = await request(server.port, '/api/status', {
        headers: { ...bearer, origin: `http://localhost:${server.port}` },
      });
      expect(own.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('exact Origin on every state change', () => {
    const foreign = (port: number) => [
      `http://127.0.0.1:${port + 1}`,
      `http://localhost:${port + 1}`,
      `http://[::1]:${port + 1}`,
      `http://127.0.0.1:${port === 80 ? 81 : 80}`,
      `https://127.0.0.1:${port}`,
      `http://127.0.0.1`,
      `http://evil.example:${port}`,
      `http://127.0.0.1.evil.example:${port}`,
      'null',
      'file://',
      `HTTP://127.0.0.1:${port}`,
    ];

    it('refuses a POST from any other origin, even with the token (another port of this host included)', async () => {
      for (const origin of foreign(server.port)) {
        const reply = await request(server.port, '/api/labs/x/start', {
          method: 'POST',
          headers: { ...bearer, origin, [CSRF_HEADER]: '1', 'content-type': 'application/json' },
          body: '{}',
        });
        expect(reply.status, origin).toBe(403);
        expect(JSON.parse(reply.body), origin).toMatchObject({ error: 'forbidden-origin' });
      }
    });

    it('refuses a GET of the page or the API that carries another origin', async () => {
      const origin = `http://127.0.0.1:${server.port + 1}`;
      expect((await request(server.port, '/', { headers: { origin } })).status).toBe(403);
      expect((await request(server.port, '/api/status', { headers: { ...bearer, origin } })).status).toBe(403);
    });

    it('accepts our own origin under every name we answer to', async () => {
      for (const origin of server.origins) {
        const reply = await request(server.port, '/api/status', { headers: { ...bearer, origin } });
        expect(reply.status, origin).toBe(200);
      }
    });

    it('refuses a state change with no Origin unless the token is in a header (a browser cannot send that)', async () => {
      const anonymous = await request(server.port, '/api/labs/x/start', {
        method: 'POST',
        headers: { [CSRF_HEADER]: '1', 'content-type': 'application/json' },
        body: '{}',
      });
      expect(anonymous.status).toBe(403);
      expect(JSON.parse(anonymous.body)).toMatchObject({ error: 'origin-required' });
      const cli = await request(server.port, '/api/labs/x/start', {
        method: 'POST',
        headers: { ...bearer, [CSRF_HEADER]: '1', 'content-type': 'application/json' },
        body: '{}',
      });
      expect(cli.status).toBe(404); // past the gate; no lab routes on this server
    });

    it('refuses a cross-origin form post (urlencoded, no custom header) even from our own origin', async () => {
      const reply = await request(server.port, SESSION_PATH, {
        method: 'POST',
        headers: { origin: own, 'content-type': 'application/x-www-form-urlencoded' },
        body: `token=${TOKEN}`,
      });
      expect(reply.status).toBe(403);
      expectNothingLeaked(reply);
    });
  });

  describe('the token exchange', () => {
    it('trades the token for a page credential on our exact origin', async () => {
      const reply = await exchange(own, JSON.stringify({ token: TOKEN }));
      expect(reply.status).toBe(200);
      expect(reply.headers['cache-control']).toBe('no-store');
      const { credential } = JSON.parse(reply.body) as { credential: string };
      expect(credential).toMatch(/^p1\./);
      expect(credential).not.toContain(TOKEN);
      const api = await request(server.port, '/api/status', { headers: { authorization: `Bearer ${credential}` } });
      expect(api.status).toBe(200);
      // A page credential is not the key to mint more.
      expect((await exchange(own, JSON.stringify({ token: credential }))).status).toBe(401);
    });

    it('gives every exchange its own credential', async () => {
      const a = JSON.parse((await exchange(own, JSON.stringify({ token: TOKEN }))).body) as { credential: string };
      const b = JSON.parse((await exchange(own, JSON.stringify({ token: TOKEN }))).body) as { credential: string };
      expect(a.credential).not.toBe(b.credential);
    });

    it('refuses another origin, a missing Origin, a missing CSRF header and a wrong token', async () => {
      const body = JSON.stringify({ token: TOKEN });
      expect((await exchange(`http://127.0.0.1:${server.port + 1}`, body)).status).toBe(403);
      expect((await exchange('null', body)).status).toBe(403);
      expect((await exchange(undefined, body)).status).toBe(403);
      expect((await exchange(own, body, { [CSRF_HEADER]: '' })).status).toBe(403);
      const wrong = await exchange(own, JSON.stringify({ token: 'wrong-token-0123456789' }));
      expect(wrong.status).toBe(401);
      expect(wrong.body).not.toContain('credential');
    });

    it('answers a broken body with JSON that does not quote it', async () => {
      const reply = await exchange(own, `{"token":"${TOKEN}`);
      expect(reply.status).toBe(400);
      expect(reply.headers['content-type']).toMatch(/^application\/json/);
      expectNothingLeaked(reply);
    });
  });

  describe('errors', () => {
    it('answers malformed URLs with JSON: no stack trace, no source path, no token in the answer or the log', async () => {
      logs.length = 0;
      // Express's own error handler wrote to the console (the token included), not to our log.
      const console_ = [vi.spyOn(console, 'error'), vi.spyOn(console, 'log'), vi.spyOn(console, 'warn')];
      for (const target of [
        '//%zz',
        `//%zz?token=${TOKEN}`,
        '/%zz',
        `/api/%zz?token=${TOKEN}`,
        '/api/labs/%E0%A4%A',
        `/%zz/..%2f..%2f?token=${TOKEN}`,
        `/socket.io/?EIO=4&transport=polling&x=%zz&token=${TOKEN}`,
        '/socket.io/%zz',
      ]) {
        const raw = await rawRequest(server.port, target);
        expect(raw, target).toMatch(/^HTTP\/1\.1 [45]\d\d /);
        expect(raw, target).toMatch(/content-type: application\/json/i);
        expectNothingLeaked(raw);
      }
      expect(logs.join('\n')).not.toContain(TOKEN);
      const printed = console_.flatMap((spy) => spy.mock.calls.map((call) => inspect(call)));
      for (const spy of console_) spy.mockRestore();
      expect(printed.join('\n')).not.toContain(TOKEN);
    });

    it('answers unknown routes and methods with JSON 404', async () => {
      const api = await request(server.port, '/api/nope', { headers: bearer });
      expect(api.status).toBe(404);
      expect(JSON.parse(api.body)).toMatchObject({ error: 'not-found' });
      const page = await request(server.port, '/', { method: 'DELETE', headers: bearer });
      expect(page.status).toBe(404);
      expect(page.headers['content-type']).toMatch(/^application\/json/);
    });

    it('never logs the token, whatever a caller logs through the server', async () => {
      const seen: string[] = [];
      const other = await startServer({
        host: '127.0.0.1',
        port: 0,
        token: TOKEN,
        provider: new LocalShellStandInProvider(),
        log: (line) => seen.push(line),
        apiRouters: [
          // A route that fails with the token in its message, as a careless error might.
          (await import('express')).Router().get('/boom', () => {
            throw new Error(`failed while holding ${TOKEN}`);
          }),
        ],
      });
      try {
        const reply = await request(other.port, '/api/boom', { headers: bearer });
        expect(reply.status).toBe(500);
        expectNothingLeaked(reply);
        expect(JSON.parse(reply.body)).toMatchObject({ error: 'internal' });
      } finally {
        await other.close();
      }
      expect(seen.some((line) => line.includes('failed while holding [token]'))).toBe(true);
      expect(seen.join('\n')).not.toContain(TOKEN);
    });
  });

  describe('the page and the headers', () => {
    it('serves the page itself without a credential (it holds no secret)', async () => {
      const reply = await request(server.port, '/labs/whatever');
      expect(reply.status).toBe(200);
      expect(reply.body).toContain('<div id="root">');
      expect(reply.headers['cache-control']).toBe('no-store');
    });

    it('refuses a foreign Host on the page, the API and the websocket (DNS rebinding)', async () => {
      expect((await request(server.port, '/', { headers: { host: 'evil.example' } })).status).toBe(403);
      expect((await request(server.port, '/api/status', { headers: { ...bearer, host: 'evil.example' } })).status).toBe(
        403,
      );
      expect(
        await upgradeStatus(server.port, '/socket.io/?EIO=4&transport=websocket', {
          ...bearer,
          host: `evil.example:${server.port}`,
        }),
      ).toBe(REFUSED_UPGRADE);
    });

    it('accepts localhost as Host', async () => {
      const reply = await request(server.port, '/api/status', {
        headers: { ...bearer, host: `localhost:${server.port}` },
      });
      expect(reply.status).toBe(200);
    });

    it('sends a CSP limiting connections to self, no framing, and CORP same-origin', async () => {
      const reply = await request(server.port, '/');
      expect(reply.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'self'");
      expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
      expect(reply.headers['cross-origin-resource-policy']).toBe('same-origin');
    });
  });

  describe('socket.io', () => {
    const handshake = '/socket.io/?EIO=4&transport=polling';
    const wsHandshake = '/socket.io/?EIO=4&transport=websocket';

    it('refuses the websocket upgrade from another origin, even with the token', async () => {
      for (const origin of [`http://127.0.0.1:${server.port + 1}`, `http://localhost:${server.port + 1}`, 'null']) {
        expect(await upgradeStatus(server.port, wsHandshake, { ...bearer, origin }), origin).toBe(REFUSED_UPGRADE);
      }
    });

    it('refuses the upgrade with no Origin and no bearer (a browser always sends one of them)', async () => {
      expect(await upgradeStatus(server.port, wsHandshake)).toBe(REFUSED_UPGRADE);
      expect(await upgradeStatus(server.port, wsHandshake, { cookie: `${LEGACY_AUTH_COOKIE}=${TOKEN}` })).toBe(
        REFUSED_UPGRADE,
      );
      expect(await upgradeStatus(server.port, `${wsHandshake}&token=${TOKEN}`)).toBe(REFUSED_UPGRADE);
      expect(await upgradeStatus(server.port, wsHandshake, { 'sec-fetch-site': 'same-site', ...bearer })).toBe(
        REFUSED_UPGRADE,
      );
    });

    it('upgrades our own origin and a bearer-carrying client (the control for the refusals above)', async () => {
      expect(await upgradeStatus(server.port, wsHandshake, { origin: own })).toBe(101);
      expect(await upgradeStatus(server.port, wsHandshake, bearer)).toBe(101);
    });

    it('refuses the polling handshake from another origin, without Origin or bearer, or labelled same-site', async () => {
      const foreign = await request(server.port, handshake, {
        headers: { ...bearer, origin: `http://127.0.0.1:${server.port + 1}` },
      });
      expect(foreign.status).toBe(403);
      expect((await request(server.port, handshake)).status).toBe(403);
      const sameSite = await request(server.port, handshake, { headers: { ...bearer, 'sec-fetch-site': 'same-site' } });
      expect(sameSite.status).toBe(403);
      expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('refuses every later polling request of a session from another origin, not just the handshake', async () => {
      // A real session, opened by a bearer-carrying client …
      const opened = await request(server.port, handshake, { headers: bearer });
      const sid = (JSON.parse(opened.body.slice(opened.body.indexOf('{'))) as { sid: string }).sid;
      const session = `${handshake}&sid=${encodeURIComponent(sid)}`;
      // … then used from other origins or without any proof: refused, never reaching the session.
      const otherPort = `http://127.0.0.1:${server.port + 1}`;
      const attempts: Record<string, string>[] = [
        { origin: otherPort },
        { ...bearer, origin: otherPort },
        {},
        { 'sec-fetch-site': 'same-site', ...bearer },
      ];
      for (const headers of attempts) {
        const poll = await request(server.port, session, { headers });
        expect(poll.status, JSON.stringify(headers)).toBe(403);
        const post = await request(server.port, session, { method: 'POST', headers, body: '40/terminals,{}' });
        expect(post.status, JSON.stringify(headers)).toBe(403);
        expect(await upgradeStatus(server.port, `${wsHandshake}&sid=${encodeURIComponent(sid)}`, headers)).toBe(
          REFUSED_UPGRADE,
        );
      }
    });

    it('lets our own origin and bearer-carrying clients through the polling handshake', async () => {
      expect((await request(server.port, handshake, { headers: { origin: own } })).status).toBe(200);
      expect((await request(server.port, handshake, { headers: bearer })).status).toBe(200);
    });

    const connect = (options: { origin?: string; credential?: string; headers?: Record<string, string> }) =>
      new Promise<string>((resolve) => {
        const socket = io(`${server.url}${EVENTS_NAMESPACE}`, {
          transports: ['websocket'],
          forceNew: true,
          reconnection: false,
          extraHeaders: { ...(options.origin ? { origin: options.origin } : {}), ...options.headers },
          ...(options.credential === undefined ? {} : { auth: { credential: options.credential } }),
        });
        socket.on('connect', () => {
          socket.close();
          resolve('connected');
        });
        socket.on('connect_error', (error) => {
          socket.close();
          resolve(`refused: ${error.message}`);
        });
      });

    it('connects our own origin with the credential in the auth payload', async () => {
      const { credential } = JSON.parse((await exchange(own, JSON.stringify({ token: TOKEN }))).body) as {
        credential: string;
      };
      expect(await connect({ origin: own, credential })).toBe('connected');
      expect(await connect({ origin: `http://localhost:${server.port}`, credential })).toBe('connected');
    });

    it('refuses a namespace without a credential, even from our own origin', async () => {
      expect(await connect({ origin: own })).toBe('refused: unauthorized');
      expect(await connect({ origin: own, credential: 'nope' })).toBe('refused: unauthorized');
      expect(await connect({ origin: own, headers: { cookie: `${LEGACY_AUTH_COOKIE}=${TOKEN}` } })).toBe(
        'refused: unauthorized',
      );
    });

    it('refuses another port of this host even with a valid credential', async () => {
      const { credential } = JSON.parse((await exchange(own, JSON.stringify({ token: TOKEN }))).body) as {
        credential: string;
      };
      expect(await connect({ origin: `http://127.0.0.1:${server.port + 1}`, credential })).toMatch(/^refused/);
    });
  });
});

describe('allowed extra origins (the Vite dev server)', () => {
  it('accepts exactly the configured origin, and refuses anything that is not an origin', async () => {
    const server = await startServer({
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      provider: new LocalShellStandInProvider(),
      allowedOrigins: ['http://127.0.0.1:5173'],
      log: () => {},
    });
    try {
      const post = (origin: string) =>
        request(server.port, SESSION_PATH, {
          method: 'POST',
          headers: { origin, 'content-type': 'application/json', [CSRF_HEADER]: '1' },
          body: JSON.stringify({ token: TOKEN }),
        });
      expect((await post('http://127.0.0.1:5173')).status).toBe(200);
      expect((await post('http://localhost:5173')).status).toBe(403);
    } finally {
      await server.close();
    }
    await expect(
      startServer({
        host: '127.0.0.1',
        port: 0,
        token: TOKEN,
        provider: new LocalShellStandInProvider(),
        allowedOrigins: ['http://127.0.0.1:5173/'],
      }),
    ).rejects.toThrow(/Not an origin/);
  });
});

describe('serve --no-cluster', () => {
  it('reports the cluster as disabled with how to start it', async () => {
    const server = await startServer({
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      provider: new LocalShellStandInProvider(),
      clusterEnabled: false,
      log: () => {},
    });
    try {
      const reply = await request(server.port, '/api/status', { headers: bearer });
      const body = JSON.parse(reply.body);
      expect(body.cluster.state).toBe('disabled');
      expect(body.cluster.message).toContain('npm start');
    } finally {
      await server.close();
    }
  });
});

describe('cluster progress on the page', () => {
  it('replays earlier progress lines to a page that connects late', async () => {
    const server = await startServer({
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      provider: new LocalShellStandInProvider(),
      log: () => {},
    });
    try {
      server.publishProgress({ stage: 'create', line: 'Preparing nodes' });
      server.publishProgress({ stage: 'create', line: 'Starting control-plane' });
      const socket = io(`${server.url}/events`, { transports: ['websocket'], extraHeaders: bearer });
      const lines: string[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`got only ${JSON.stringify(lines)}`)), 5000);
        socket.on('cluster-progress', (event: { line: string }) => {
          lines.push(event.line);
          if (lines.length === 2) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      socket.close();
      expect(lines).toEqual(['Preparing nodes', 'Starting control-plane']);
    } finally {
      await server.close();
    }
  });
});

describe('closing the server', () => {
  it('does not wait for a client that is still sending its request', async () => {
    const server = await startServer({
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      provider: new LocalShellStandInProvider(),
      log: () => {},
    });
    // Half a request: Node counts the connection as busy and, left alone,
    // server.close() waits for it until the headers timeout (60 s).
    const client = net.connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    client.write('GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    // Ended by the server: a reset is what the client should see.
    client.on('error', () => undefined);
    const ended = new Promise<void>((resolve) => client.once('close', () => resolve()));
    const started = Date.now();
    await server.close();
    await ended;
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
