// The page in real headless Chromium against the real server. The cluster is
// the LocalShellStandInProvider TEST DOUBLE: each "node" terminal is a local
// bash under a real PTY, not a kind container.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppPage } from './pages/app-page.js';
import { launchBrowser, type TestBrowser } from './support/browser.js';
import type { PageGlobals } from './support/page-globals.js';
import { startTestServer, type TestServer } from './support/server.js';
import { formatStartUrl } from '../../server/http/server.js';

describe('terminals in the browser (stand-in nodes are local bash shells)', () => {
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

  it('trades the start URL token for a page credential in sessionStorage, removes it from the address bar, sets no cookie', async () => {
    const url = new URL(app.page.url());
    expect(url.hash).toBe('');
    expect(url.searchParams.has('token')).toBe(false);
    expect(url.searchParams.get('testHooks')).toBe('1');
    expect(url.pathname).toBe('/');
    expect(await app.page.title()).toBe('Hardening Lab');
    expect(await browser.context.cookies()).toEqual([]);
    const credential = await app.page.evaluate(() =>
      (globalThis as unknown as PageGlobals).sessionStorage.getItem('hardening-lab:credential'),
    );
    expect(credential).toMatch(/^p1\./);
    expect(credential).not.toContain(server.token);
    expect(await app.clusterState()).toBe('running');
  });

  it('signs in no tab opened without the start link, nor with a wrong token, and says what to do', async () => {
    for (const url of [
      `${server.server.url}/?testHooks=1`,
      formatStartUrl(server.server.url, 'wrong-token-0123456789abcdef', '?testHooks=1'),
    ]) {
      const page = await browser.context.newPage();
      try {
        const other = new AppPage(page);
        await page.goto(url);
        await expect.poll(() => other.clusterState(), { timeout: 10_000 }).toBe('auth-lost');
        expect(await other.clusterBanner.innerText()).toContain('Open the link');
        expect(new URL(page.url()).hash).toBe('');
        expect(await other.terminalTargets()).toEqual([]);
      } finally {
        await page.close();
      }
    }
  });

  it('opens one tab per stand-in node', async () => {
    expect(await app.terminalTargets()).toEqual(['control-plane', 'worker']);
    expect(await app.terminal('control-plane').isActive()).toBe(true);
  });

  it('types into the control-plane terminal and shows the shell’s answer', async () => {
    const terminal = app.terminal('control-plane');
    await terminal.runCommand('echo $((6*7))');
    expect(await terminal.waitForLine(/^42$/)).toBe('42');
  });

  it('keeps each node’s shell separate, and hidden tabs keep their content', async () => {
    const worker = app.terminal('worker');
    expect(await worker.evaluate('$STAND_IN_NODE')).toBe('worker');
    const controlPlane = app.terminal('control-plane');
    await controlPlane.activate();
    expect(await controlPlane.text()).toMatch(/^42$/m);
    expect(await controlPlane.evaluate('$STAND_IN_NODE')).toBe('control-plane');
  });

  it('reattaches to the same shell, scrollback included, after a reload', async () => {
    const terminal = app.terminal('control-plane');
    const pid = await terminal.evaluate('$$');
    const sessionId = await terminal.sessionId();
    await terminal.runCommand('echo before-reload-$((1000+337))');
    await terminal.waitForLine(/^before-reload-1337$/);

    await app.reload();

    expect(await terminal.sessionId()).toBe(sessionId);
    // The earlier output comes back from the server's snapshot...
    expect(await terminal.waitForLine(/^before-reload-1337$/)).toBe('before-reload-1337');
    // ...and it is the very same shell process.
    expect(await terminal.evaluate('$$')).toBe(pid);
  });

  it('stops a flood with Ctrl-C and gets the prompt back at once (flow control)', async () => {
    const terminal = app.terminal('control-plane');
    await terminal.runCommand('yes flood-line');
    await terminal.waitForLine(/^flood-line$/);
    await app.page.waitForTimeout(500);
    const started = Date.now();
    await app.page.keyboard.press('Control+C');
    expect(await terminal.evaluate('after-flood-$((2+3))', 15_000)).toBe('after-flood-5');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('copies the selection with Ctrl-Shift-C', async () => {
    const terminal = app.terminal('control-plane');
    await terminal.runCommand('clear; echo copy-me-please');
    await terminal.waitForLine(/^copy-me-please$/);
    await terminal.focus();
    await app.page.evaluate(() =>
      (globalThis as unknown as PageGlobals).__hardeningLab?.terminals['control-plane']?.term.selectAll(),
    );
    // Selecting already copies (copy-on-select); overwrite that so only the key can pass the test.
    await app.page.evaluate(() =>
      (globalThis as unknown as PageGlobals).navigator.clipboard.writeText('something else'),
    );
    await app.page.keyboard.press('Control+Shift+C');
    const copied = await app.page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.clipboard.readText());
    expect(copied).toContain('copy-me-please');
  });

  it('pastes the clipboard with Ctrl-Shift-V', async () => {
    const terminal = app.terminal('control-plane');
    await terminal.focus();
    await app.page.evaluate(() =>
      (globalThis as unknown as PageGlobals).navigator.clipboard.writeText('echo pasted-$((2+2))'),
    );
    await app.page.keyboard.press('Control+Shift+V');
    await app.page.keyboard.press('Enter');
    expect(await terminal.waitForLine(/^pasted-4$/)).toBe('pasted-4');
  });

  it('resizes the shell when the splitter moves (fit → resize → PTY)', async () => {
    const terminal = app.terminal('control-plane');
    const before = Number(await terminal.evaluate('$(tput cols)'));
    const splitter = app.page.getByRole('separator');
    await splitter.focus();
    for (let i = 0; i < 5; i++) await app.page.keyboard.press('ArrowRight');
    // The shell learns its new width from SIGWINCH; ask it again until it has.
    await expect
      .poll(async () => Number(await terminal.evaluate('$(tput cols)')), { timeout: 10_000 })
      .toBeLessThan(before);
    const after = Number(await terminal.evaluate('$(tput cols)'));
    const xtermCols = await app.page.evaluate(
      () => (globalThis as unknown as PageGlobals).__hardeningLab?.terminals['control-plane']?.term.cols,
    );
    expect(after).toBe(xtermCols);
  });

  it('opens links printed in the terminal in a new tab (web links)', async () => {
    const terminal = app.terminal('control-plane');
    await terminal.runCommand(`clear; echo ${server.server.url}/hardening-lab-link-probe`);
    await terminal.waitForLine(/^http:\/\/127\.0\.0\.1:\d+\/hardening-lab-link-probe$/);
    // The link's first cell: find its row, then point at it.
    const row = (await terminal.lines()).findIndex((line) => line.endsWith('/hardening-lab-link-probe'));
    const screen = terminal.pane.locator('.xterm-screen');
    const box = await screen.boundingBox();
    const rows = await app.page.evaluate(
      () => (globalThis as unknown as PageGlobals).__hardeningLab?.terminals['control-plane']?.term.rows ?? 1,
    );
    if (!box) throw new Error('terminal not on screen');
    const cellHeight = box.height / rows;
    const x = box.x + 30;
    const y = box.y + cellHeight * (row + 0.5);
    await app.page.mouse.move(x, y - 2);
    await app.page.mouse.move(x, y);
    const popup = browser.context.waitForEvent('page', { timeout: 10_000 });
    await app.page.mouse.click(x, y);
    const opened = await popup;
    await expect.poll(() => opened.url()).toBe(`${server.server.url}/hardening-lab-link-probe`);
    await opened.close();
  });

  it('moves between terminal tabs with the arrow keys', async () => {
    await app.terminal('control-plane').tab.focus();
    await app.page.keyboard.press('ArrowRight');
    expect(await app.terminal('worker').isActive()).toBe(true);
    await app.page.keyboard.press('ArrowRight');
    expect(await app.terminal('control-plane').isActive()).toBe(true);
  });

  it('loaded with no console errors and no CSP violations', () => {
    // This server has no lab routes (no lab engine, no fixture): the lab list's 404 is expected.
    expect(app.problems.filter((p) => p !== 'http 404: /api/labs')).toEqual([]);
  });

  it('exposes a transport-free terminal for the parser benchmark', async () => {
    const result = await app.page.evaluate(async () => {
      const hooks = (globalThis as unknown as PageGlobals).__hardeningLab;
      if (!hooks) return null;
      const term = hooks.createTerminal();
      await new Promise<void>((resolve) => term.write('bench-probe\r\n', resolve));
      return { line: term.buffer.active.getLine(0)?.translateToString(true), cols: term.cols };
    });
    expect(result).toEqual({ line: 'bench-probe', cols: expect.any(Number) });
  });
});
