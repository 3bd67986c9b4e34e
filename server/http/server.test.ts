// Security probes against a real express + socket.io server (the cluster is
// the local-shell stand-in, a test double: no terminal is opened here).
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './server.js';
import { LocalShellStandInProvider } from '../cluster/local-shell-stand-in.js';
import { AUTH_COOKIE } from './auth.js';
import { CONTENT_SECURITY_POLICY } from './security-headers.js';

const TOKEN = 'test-token-0123456789abcdef0123456789';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(server: RunningServer, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.port, path, method: init.method ?? 'GET', headers: init.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    if (init.body) req.write(init.body);
    req.end();
  });
}

const cookie = `${AUTH_COOKIE}=${TOKEN}`;

describe('HTTP security (real server, local-shell stand-in cluster)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ host: '127.0.0.1', port: 0, token: TOKEN, provider: new LocalShellStandInProvider(), log: () => {} });
  });
  afterAll(async () => {
    await server.close();
  });

  it('binds to loopback by default', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('refuses the API without a token', async () => {
    const reply = await request(server, '/api/status');
    expect(reply.status).toBe(401);
  });

  it('refuses a wrong token in the cookie', async () => {
    const reply = await request(server, '/api/status', { headers: { cookie: `${AUTH_COOKIE}=wrong-token` } });
    expect(reply.status).toBe(401);
  });

  it('refuses a wrong token in the start URL', async () => {
    const reply = await request(server, '/?token=nope');
    expect(reply.status).toBe(401);
    expect(reply.headers['set-cookie']).toBeUndefined();
  });

  it('exchanges the start-URL token for an HttpOnly SameSite=Strict cookie and drops it from the URL', async () => {
    const reply = await request(server, `/labs/x?token=${TOKEN}&a=1`);
    expect(reply.status).toBe(302);
    expect(reply.headers.location).toBe('/labs/x?a=1');
    const setCookie = reply.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toContain(`${AUTH_COOKIE}=`);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
  });

  it('serves the API with the cookie', async () => {
    const reply = await request(server, '/api/status', { headers: { cookie } });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).cluster.state).toBe('running');
  });

  it('refuses a foreign Host even with a valid token (DNS rebinding)', async () => {
    const reply = await request(server, '/api/status', { headers: { cookie, host: 'evil.example' } });
    expect(reply.status).toBe(403);
  });

  it('accepts localhost as Host', async () => {
    const reply = await request(server, '/api/status', { headers: { cookie, host: `localhost:${server.port}` } });
    expect(reply.status).toBe(200);
  });

  it('rejects a state-changing request without the CSRF header', async () => {
    const reply = await request(server, '/api/status', { method: 'POST', headers: { cookie } });
    expect(reply.status).toBe(403);
    expect(reply.body).toContain('x-hardening-lab');
  });

  it('sends a Content-Security-Policy limiting connections to self and forbidding framing', async () => {
    const reply = await request(server, '/api/status', { headers: { cookie } });
    expect(reply.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });

  it('refuses a raw websocket upgrade without a token', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port: server.port,
        path: '/socket.io/?EIO=4&transport=websocket',
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
      });
      req.on('upgrade', () => resolve(101));
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('error', reject);
      req.end();
    });
    expect(status).not.toBe(101);
    expect(status).toBeGreaterThanOrEqual(400);
  });

  it('refuses a raw websocket upgrade with a valid token but a foreign Origin', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port: server.port,
        path: '/socket.io/?EIO=4&transport=websocket',
        headers: {
          cookie,
          Origin: 'http://evil.example',
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      });
      req.on('upgrade', () => resolve(101));
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('error', reject);
      req.end();
    });
    expect(status).not.toBe(101);
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
      const reply = await request(server, '/api/status', { headers: { cookie } });
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
    const { io } = await import('socket.io-client');
    const server = await startServer({ host: '127.0.0.1', port: 0, token: TOKEN, provider: new LocalShellStandInProvider(), log: () => {} });
    try {
      server.publishProgress({ stage: 'create', line: 'Preparing nodes' });
      server.publishProgress({ stage: 'create', line: 'Starting control-plane' });
      const socket = io(`${server.url}/events`, { transports: ['websocket'], extraHeaders: { cookie } });
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
