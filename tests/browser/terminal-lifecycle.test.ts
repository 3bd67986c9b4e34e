// What happens to a terminal tab when its shell or its connection goes away:
// the shell exits, another browser tab takes the shell over, the server
// restarts. Real server and page; the nodes are the LocalShellStandInProvider
// TEST DOUBLE (local bash shells).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalShellStandInProvider } from '../../server/cluster/local-shell-stand-in.js';
import type { ClusterNode } from '../../server/protocol.js';
import { AppPage, KILLED_SERVER_WARNING } from './pages/app-page.js';
import { launchBrowser, type TestBrowser } from './support/browser.js';
import type { PageGlobals } from './support/page-globals.js';
import { startTestServer, type TestServer } from './support/server.js';

describe('terminal lifecycle (stand-in nodes are local bash shells)', () => {
  let server: TestServer;
  let browser: TestBrowser;
  let app: AppPage;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    app = await AppPage.open(browser.context, server.startUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('after `exit`, says so and starts a new shell on the next key press', async () => {
    const terminal = app.terminal('control-plane');
    const pid = await terminal.evaluate('$$');
    await terminal.runCommand('exit');
    await terminal.waitForLine(/The shell exited \(code 0\)\. Press any key to start a new one\./);
    await app.page.keyboard.press('Enter');
    await app.waitUntilReady();
    const newPid = await terminal.evaluate('$$');
    expect(newPid).not.toBe(pid);
  });

  it('when another browser tab takes the shell over, says so, and Retry takes it back', async () => {
    const terminal = app.terminal('control-plane');
    const sessionId = await terminal.sessionId();
    expect(sessionId).toBeTruthy();

    // A second tab that knows the same session id, as a duplicated tab would
    // (which copies sessionStorage: the page credential comes along).
    const credential = await app.page.evaluate(() =>
      (globalThis as unknown as PageGlobals).sessionStorage.getItem('hardening-lab:credential'),
    );
    const other = await browser.context.newPage();
    await other.addInitScript(
      (entries: Record<string, string>) => {
        const storage = (globalThis as unknown as PageGlobals).sessionStorage;
        for (const [key, value] of Object.entries(entries)) storage.setItem(key, value);
      },
      { 'hardening-lab:terminal-session:control-plane': sessionId ?? '', 'hardening-lab:credential': credential ?? '' },
    );
    await other.goto(app.page.url());
    const otherApp = new AppPage(other);
    await otherApp.waitUntilReady();
    expect(await otherApp.terminal('control-plane').sessionId()).toBe(sessionId);

    await expect.poll(() => terminal.phase()).toBe('failed');
    expect(await terminal.pane.locator('[data-terminal-problem]').innerText()).toContain('opened in another tab');

    await terminal.pane.getByRole('button', { name: 'Retry' }).click();
    await app.waitUntilReady();
    expect(await terminal.sessionId()).toBe(sessionId);
    expect(await terminal.pane.locator('[data-terminal-problem]').count()).toBe(0);
    await expect.poll(() => otherApp.terminal('control-plane').phase()).toBe('failed');
    await other.close();
  });

  it('shows "reconnecting" while the server is down and reattaches when it is back', async () => {
    const terminal = app.terminal('control-plane');
    const { port, token } = { port: server.server.port, token: server.token };
    const oldSession = await terminal.sessionId();
    await server.close();
    await expect.poll(() => terminal.phase(), { timeout: 10_000 }).toBe('reconnecting');

    // Same port and token, as `hardening-lab serve` with a fixed token would come back.
    server = await startTestServer({ port, token });
    await app.waitUntilReady();
    // The old shell died with the old server: a new one, working.
    expect(await terminal.sessionId()).not.toBe(oldSession);
    expect(await terminal.evaluate('$((7*6))')).toBe('42');
  });

  it('says so when the server came back with a new token', async () => {
    const port = server.server.port;
    await server.close();
    server = await startTestServer({ port });
    await expect.poll(() => app.clusterState(), { timeout: 15_000 }).toBe('auth-lost');
    expect(await app.clusterBanner.innerText()).toContain('Open the link');
    // The way back is the link the server printed.
    await app.page.goto(server.startUrl);
    await app.waitUntilReady();
    expect(await app.clusterState()).toBe('running');
  });

  it('reports nothing unexpected to the console', () => {
    // Expected: no lab routes on this server; refused websockets and 401s while the token was stale;
    // and, rarely (1 run in 5+ under load), Chromium's warning for a frame (an ack, a pong) sent in the
    // instant between the killed server's close frame and the socket's close event.
    const expected = (p: string): boolean =>
      p === 'http 404: /api/labs' ||
      p === 'http 401: /api/status' ||
      p.includes('WebSocket connection') ||
      p === KILLED_SERVER_WARNING;
    expect(app.problems.filter((p) => !expected(p))).toEqual([]);
  });

  it('keeps the test hooks’ terminal handles current', async () => {
    const targets = await app.page.evaluate(() =>
      Object.keys((globalThis as unknown as PageGlobals).__hardeningLab?.terminals ?? {}),
    );
    expect(targets).toEqual(['control-plane', 'worker']);
  });
});

/** TEST DOUBLE: the stand-in, with node listing as slow as `docker` can be on a busy host. */
class SlowStandInProvider extends LocalShellStandInProvider {
  override async nodes(): Promise<ClusterNode[]> {
    await new Promise((resolve) => setTimeout(resolve, 400));
    return super.nodes();
  }
}

describe('input while a shell is being opened (slow stand-in nodes, local bash shells)', () => {
  let server: TestServer;
  let browser: TestBrowser;
  let app: AppPage;

  beforeAll(async () => {
    server = await startTestServer({ provider: new SlowStandInProvider() });
    browser = await launchBrowser();
    app = await AppPage.open(browser.context, server.startUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('keeps what is typed before the new shell is attached, and delivers it', async () => {
    const terminal = app.terminal('control-plane');
    await terminal.runCommand('exit');
    await terminal.waitForLine(/The shell exited/);
    // The first key asks for a new shell; the next ones arrive while the server is still opening it.
    await app.page.keyboard.press('Enter');
    await app.page.keyboard.type('echo early-$((5*5))');
    await app.page.keyboard.press('Enter');
    expect(await terminal.waitForLine(/^early-25$/)).toBe('early-25');
  });
});
