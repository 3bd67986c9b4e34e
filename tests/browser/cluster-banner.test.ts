// The cluster banner follows the server's /events pushes: a live progress log
// while the cluster is created, and plain words when it is not running. The
// server is real; the cluster is the LocalShellStandInProvider TEST DOUBLE,
// and the events are published by the test as the kind provider would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppPage } from './pages/app-page.js';
import { launchBrowser, type TestBrowser } from './support/browser.js';
import { startTestServer, type TestServer } from './support/server.js';

describe('cluster banner (stand-in nodes are local bash shells)', () => {
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

  const nodes = [
    { target: 'control-plane', container: 'stand-in-control-plane', role: 'control-plane' as const, ready: true },
    { target: 'worker', container: 'stand-in-worker', role: 'worker' as const, ready: true },
  ];

  it('says the cluster is running', async () => {
    expect(await app.clusterState()).toBe('running');
    expect(await app.clusterBanner.innerText()).toContain('is running · 2 nodes');
  });

  it('shows progress lines live while the cluster is being created', async () => {
    server.server.publishStatus({ name: 'stand-in', provider: 'local-shell-stand-in', state: 'starting', nodes: [] });
    server.server.publishProgress({ stage: 'create', line: 'Ensuring node image (kindest/node) 🖼' });
    server.server.publishProgress({ stage: 'create', line: 'Preparing nodes 📦 📦' });
    await expect.poll(() => app.clusterState()).toBe('starting');
    const log = app.clusterBanner.locator('.progress-log li');
    await expect.poll(() => log.count()).toBe(2);
    expect(await log.nth(1).innerText()).toContain('Preparing nodes');
    // Terminals already open stay open through a status change.
    expect(await app.terminalTargets()).toEqual(['control-plane', 'worker']);
  });

  it('explains how to start the cluster when it is absent, and shows a failed step', async () => {
    server.server.publishProgress({ stage: 'create', line: 'failed', error: 'docker: cannot connect to the daemon' });
    server.server.publishStatus({
      name: 'stand-in',
      provider: 'local-shell-stand-in',
      state: 'absent',
      nodes: [],
      message: 'No cluster. Run `npm start` to create it.',
    });
    await expect.poll(() => app.clusterState()).toBe('absent');
    const text = await app.clusterBanner.innerText();
    expect(text).toContain('not created');
    expect(text).toContain('Run `npm start` to create it.');
    expect(text).toContain('docker: cannot connect to the daemon');
  });

  it('hides the log once the cluster runs again', async () => {
    server.server.publishProgress({ stage: 'ready', line: 'cluster ready', done: true });
    server.server.publishStatus({ name: 'stand-in', provider: 'local-shell-stand-in', state: 'running', nodes });
    await expect.poll(() => app.clusterState()).toBe('running');
    await expect.poll(() => app.clusterBanner.locator('.progress-log').count()).toBe(0);
  });
});
