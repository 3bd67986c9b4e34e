// The attack from issue 10, in real Chromium: the learner is signed in to
// Hardening Lab in one tab, and the same browser loads a page from another
// loopback port (another local user's web server, a dev server). Browsers
// treat the two ports as the same site, so cookies and SameSite=Strict do
// not separate them; only the exact-origin checks and a credential the page
// keeps to itself do. The other page tries the websocket, the socket.io
// polling handshake, fetch with and without credentials, and form posts —
// each must be refused — and the other server must never receive our token
// or the credential that stands in for it. The stand-in cluster's "nodes"
// are local bash shells (TEST DOUBLE), so a shell that opened would answer
// `id` like a kind node does.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixtureLabRouter, FIXTURE_LAB_ID, type FixtureLabRouter } from './fixtures/fixture-lab-router.js';
import { AppPage } from './pages/app-page.js';
import { launchBrowser, type TestBrowser } from './support/browser.js';
import { startOtherOriginServer, type OtherOriginServer } from './support/other-origin-server.js';
import type { PageGlobals } from './support/page-globals.js';
import { startTestServer, type TestServer } from './support/server.js';

/** The cookie versions before the page credential kept the token in. */
const LEGACY_COOKIE = 'hardening_lab_token';
const CREDENTIAL_KEY = 'hardening-lab:credential';

/** An answer our server gave the other page, as the browser's network stack saw it. */
interface Seen {
  method: string;
  path: string;
  status: number;
}

/** What the page-side websocket probe saw. */
interface SocketOutcome {
  opened: boolean;
  frames: string[];
}

/** Types for code that runs in the page (the Node tsconfig has no DOM lib). */
interface ProbeSocket {
  onopen: (() => void) | null;
  onclose: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: string): void;
  close(): void;
}

/**
 * Runs in the other origin's page: speaks just enough engine.io/socket.io to
 * ask for a terminal and type `id` — what the old code let through.
 */
function websocketProbe(base: string): Promise<SocketOutcome> {
  const Socket = (globalThis as unknown as { WebSocket: new (url: string) => ProbeSocket }).WebSocket;
  return new Promise((resolve) => {
    const frames: string[] = [];
    let opened = false;
    const socket = new Socket(`${base}/socket.io/?EIO=4&transport=websocket`);
    const finish = (): void => resolve({ opened, frames });
    const timer = setTimeout(() => {
      socket.close();
      finish();
    }, 5_000);
    socket.onopen = () => {
      opened = true;
    };
    socket.onmessage = (event) => {
      const data = String(event.data);
      frames.push(data);
      if (data.startsWith('0{'))
        socket.send(`40/terminals,${JSON.stringify({ target: 'control-plane', cols: 80, rows: 24 })}`);
      else if (data === '2') socket.send('3');
      else if (data.includes('"session"')) socket.send(`42/terminals,${JSON.stringify(['input', 'id\r'])}`);
      else if (data.includes('uid=')) {
        clearTimeout(timer);
        socket.close();
        finish();
      }
    };
    socket.onclose = () => {
      clearTimeout(timer);
      finish();
    };
  });
}

/** Runs in the other origin's page: every kind of fetch a page can make at our API and handshake. */
async function fetchProbes(input: { base: string; token: string; lab: string }): Promise<string[]> {
  const { base, token, lab } = input;
  const attempts: [string, Record<string, unknown>][] = [
    [`${base}/socket.io/?EIO=4&transport=polling`, { credentials: 'include' }],
    [`${base}/socket.io/?EIO=4&transport=polling`, { credentials: 'include', mode: 'no-cors' }],
    [`${base}/api/status`, { credentials: 'include' }],
    [`${base}/api/status`, { credentials: 'omit' }],
    [`${base}/api/status`, { credentials: 'include', mode: 'no-cors' }],
    [`${base}/api/labs`, { credentials: 'include', headers: { authorization: `Bearer ${token}` } }],
    // A simple (unpreflighted) POST, and one that needs a preflight.
    [`${base}/api/labs/${lab}/start`, { method: 'POST', credentials: 'include', mode: 'no-cors', body: '{}' }],
    [
      `${base}/api/labs/${lab}/start`,
      {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json', 'x-hardening-lab': '1' },
        body: '{}',
      },
    ],
    // Even a page that somehow knew the token cannot trade it from here.
    [`${base}/api/session`, { method: 'POST', mode: 'no-cors', body: JSON.stringify({ token }) }],
    [
      `${base}/api/session`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hardening-lab': '1' },
        body: JSON.stringify({ token }),
      },
    ],
  ];
  const outcomes: string[] = [];
  for (const [url, init] of attempts) {
    try {
      const response = await fetch(url, init as RequestInit);
      // Only a response the page may read counts as read.
      outcomes.push(response.type === 'opaque' ? 'opaque' : `readable ${response.status}`);
    } catch {
      outcomes.push('blocked');
    }
  }
  return outcomes;
}

describe('a page from another loopback port, in the same browser as a signed-in learner', () => {
  let server: TestServer;
  let fixture: FixtureLabRouter;
  let other: OtherOriginServer;
  let browser: TestBrowser;
  let app: AppPage;
  let attacker: Page;
  let credential: string | null;
  const seen: Seen[] = [];
  let socketsTried = 0;

  beforeAll(async () => {
    other = await startOtherOriginServer();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hardening-lab-browser-'));
    fixture = createFixtureLabRouter(home);
    server = await startTestServer({ home, apiRouters: [fixture.router] });
    browser = await launchBrowser();
    // The learner's own tab, signed in the usual way.
    app = await AppPage.open(browser.context, server.startUrl);
    credential = await app.page.evaluate(
      (key) => (globalThis as unknown as PageGlobals).sessionStorage.getItem(key),
      CREDENTIAL_KEY,
    );
    // The same browser visits the other server.
    attacker = await browser.context.newPage();
    // What our server answered, as Chromium's network stack saw it (CDP):
    // the page itself cannot read a refused cross-origin answer, and
    // Playwright reports those only as failed requests.
    const ours = new URL(server.server.url).port;
    const requests = new Map<string, { method: string; path: string }>();
    const cdp = await browser.context.newCDPSession(attacker);
    cdp.on('Network.requestWillBeSent', (event) => {
      const url = new URL(event.request.url);
      if (url.port === ours) requests.set(event.requestId, { method: event.request.method, path: url.pathname });
    });
    cdp.on('Network.responseReceivedExtraInfo', (event) => {
      const request = requests.get(event.requestId);
      if (request) seen.push({ ...request, status: event.statusCode });
    });
    cdp.on('Network.webSocketCreated', (event) => {
      const url = new URL(event.url);
      if (url.port !== ours) return;
      socketsTried += 1;
      requests.set(event.requestId, { method: 'WEBSOCKET', path: url.pathname });
    });
    // Only an accepted handshake (101) reports a response; a refused one just fails.
    cdp.on('Network.webSocketHandshakeResponseReceived', (event) => {
      const request = requests.get(event.requestId);
      if (request) seen.push({ ...request, status: event.response.status });
    });
    await cdp.send('Network.enable');
    await attacker.goto(`${other.origin}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await other?.close();
  });

  it('cannot open a terminal over the websocket, under any of our host names', async () => {
    seen.length = 0;
    for (const host of ['127.0.0.1', 'localhost']) {
      const outcome = await attacker.evaluate(websocketProbe, `ws://${host}:${server.server.port}`);
      expect(outcome.frames.join('\n'), host).not.toMatch(/uid=|"session"/);
      expect(outcome.opened, host).toBe(false);
    }
    // Refused at the handshake, not after: no 101 Switching Protocols.
    expect(socketsTried).toBe(2);
    expect(seen.filter((s) => s.method === 'WEBSOCKET')).toEqual([]);
  });

  it('gets nothing from the polling handshake or the API, with or without credentials, and starts nothing', async () => {
    seen.length = 0;
    const outcomes = await attacker.evaluate(fetchProbes, {
      base: server.server.url,
      token: server.token,
      lab: FIXTURE_LAB_ID,
    });
    // Nothing the page could read (CORS) …
    expect(outcomes.filter((o) => o.startsWith('readable'))).toEqual([]);
    // … and, as the browser saw it, every request that reached our server was refused.
    expect(seen.map((s) => s.path)).toEqual(
      expect.arrayContaining(['/socket.io/', '/api/status', `/api/labs/${FIXTURE_LAB_ID}/start`, '/api/session']),
    );
    expect(seen.filter((s) => s.status < 400)).toEqual([]);
    expect(fixture.starts()).toBe(0);
  });

  it('has its form posts refused, changing nothing', async () => {
    const targets = [`/api/labs/${FIXTURE_LAB_ID}/start`, `/api/labs/${FIXTURE_LAB_ID}/reset`, '/api/session'];
    for (const target of targets) {
      for (const enctype of ['text/plain', 'application/x-www-form-urlencoded']) {
        const action = `${server.server.url}${target}`;
        const [response] = await Promise.all([
          attacker.waitForResponse((r) => r.url() === action),
          attacker.goto(other.formUrl(action, enctype, { token: server.token })),
        ]);
        expect(`${target} ${enctype} ${response.status()}`).toBe(`${target} ${enctype} 403`);
      }
    }
    expect(fixture.starts()).toBe(0);
    // The learner's own page still works: nothing above disturbed it.
    expect(await app.clusterState()).toBe('running');
  });

  it('never lets the other server receive our token or the credential standing in for it', async () => {
    // One more ordinary visit, as the learner would make, after all of the above.
    await attacker.goto(`${other.origin}/`);
    expect(other.requests.length).toBeGreaterThan(3);
    const everything = JSON.stringify(other.requests);
    expect(everything).not.toContain(server.token);
    expect(everything).not.toContain(LEGACY_COOKIE);
    if (credential !== null) expect(everything).not.toContain(credential);
  });
});

describe('a learner upgrading from a version that kept the token in a cookie', () => {
  it('has the old cookie expired by our first page load, so other ports stop receiving it', async () => {
    const other = await startOtherOriginServer();
    const server = await startTestServer();
    const browser = await launchBrowser();
    try {
      await browser.context.addCookies([
        {
          name: LEGACY_COOKIE,
          value: server.token,
          domain: '127.0.0.1',
          path: '/',
          httpOnly: true,
          sameSite: 'Strict',
        },
      ]);
      await AppPage.open(browser.context, server.startUrl);
      const page = await browser.context.newPage();
      await page.goto(`${other.origin}/`);
      expect(JSON.stringify(other.requests)).not.toContain(server.token);
      expect(await browser.context.cookies()).toEqual([]);
    } finally {
      await browser.close();
      await server.close();
      await other.close();
    }
  });
});
