// The product end to end on the real cluster: the real server with the kind
// provider, the built page in headless Chromium, and a node terminal that is
// `docker exec -it <node> bash -l` under a real PTY. This is what a learner
// gets from `npm start`: `kubectl get nodes` typed into the control-plane tab
// lists both nodes Ready.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KIND_CONFIG, DEFAULT_NODE_IMAGE, PROJECT_ROOT } from '../../server/config.js';
import { KindProvider } from '../../server/cluster/kind-provider.js';
import { generateToken } from '../../server/http/auth.js';
import { formatStartUrl, startServer, type RunningServer } from '../../server/http/server.js';
import { AppPage } from '../browser/pages/app-page.js';
import { launchBrowser, type TestBrowser } from '../browser/support/browser.js';

const cluster = process.env.HARDENING_LAB_CLUSTER;
if (!cluster) throw new Error('HARDENING_LAB_CLUSTER must be set: run the cluster tier with `npm run test:cluster`.');
const webDist = path.join(PROJECT_ROOT, 'web', 'dist');

describe(`the product against kind cluster "${cluster}"`, () => {
  let server: RunningServer;
  let browser: TestBrowser;
  let app: AppPage;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(webDist, 'index.html')))
      throw new Error('web/dist is missing: run `npm run build:web`.');
    const provider = new KindProvider({ name: cluster, image: DEFAULT_NODE_IMAGE, kindConfig: DEFAULT_KIND_CONFIG });
    await provider.attach();
    const token = generateToken();
    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      token,
      provider,
      webDir: webDist,
      log: () => undefined,
    });
    browser = await launchBrowser();
    app = await AppPage.open(browser.context, formatStartUrl(server.url, token, '?testHooks=1'));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the cluster running with one tab per kind node', async () => {
    expect(await app.clusterState()).toBe('running');
    expect(await app.terminalTargets()).toEqual(['control-plane', 'worker']);
  });

  it('lists both nodes Ready when `kubectl get nodes` is typed into the control-plane tab', async () => {
    const terminal = app.terminal('control-plane');
    await terminal.activate();
    await terminal.runCommand('kubectl get nodes');
    await terminal.waitForLine(new RegExp(`^${cluster}-worker\\s+Ready\\s`), 60_000);
    const text = await terminal.text();
    expect(text).toMatch(new RegExp(`^${cluster}-control-plane\\s+Ready\\s+control-plane\\s+\\S+\\s+v1\\.34\\.`, 'm'));
    expect(text).toMatch(new RegExp(`^${cluster}-worker\\s+Ready\\s+<none>\\s+\\S+\\s+v1\\.34\\.`, 'm'));
  });

  it('gives a root shell inside the worker node container', async () => {
    const terminal = app.terminal('worker');
    await terminal.activate();
    expect(await terminal.evaluate('$(id -u):$(hostname)', 30_000)).toBe(`0:${cluster}-worker`);
  });
});
