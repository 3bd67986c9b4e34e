// The kube-apiserver break-glass panel in headless Chromium, against the REAL
// lab engine (backups taken at lab start, restore through the provider) and
// the FIXTURE lab server/labs/fixtures/break-glass-labs/fixture-apiserver,
// whose "manifest" is a real file on the LocalShellStandInProvider TEST
// DOUBLE's control plane (a local shell). No apiserver runs here: the node's
// answers to the diagnosis come from recordedApiserverNode, a TEST DOUBLE
// replaying a crash loop recorded on kind. The cluster tier does the same
// diagnosis and restore against a really crash-looping apiserver.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StandInClusterView } from '../../server/checks/stand-in-cluster-view.js';
import { LocalShellStandInProvider } from '../../server/cluster/local-shell-stand-in.js';
import { PROJECT_ROOT } from '../../server/config.js';
import { createLabEngine, type LabEngine } from '../../server/labs/lab-engine.js';
import { FIXTURE_MANIFEST } from '../../server/labs/fixtures/break-glass-labs/fixture-apiserver/checks.js';
import { recordedApiserverNode } from './fixtures/recorded-apiserver-node.js';
import { AppPage } from './pages/app-page.js';
import { BreakGlassPanel } from './pages/break-glass-panel.js';
import { launchBrowser, type TestBrowser } from './support/browser.js';
import { startTestServer, type TestServer } from './support/server.js';

const LABS = path.join(PROJECT_ROOT, 'server', 'labs', 'fixtures', 'break-glass-labs');
const LAB = 'fixture-apiserver';
const ORIGINAL = 'apiVersion: v1\nkind: Pod\n# the manifest as the lab found it\n';

describe('apiserver break-glass panel (real engine, recorded node answers)', () => {
  let home: string;
  let engine: LabEngine;
  let server: TestServer;
  let browser: TestBrowser;
  let app: AppPage;

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'hardening-lab-break-glass-'));
    fs.mkdirSync(path.dirname(FIXTURE_MANIFEST), { recursive: true });
    fs.writeFileSync(FIXTURE_MANIFEST, ORIGINAL);
    const provider = new LocalShellStandInProvider({ home });
    engine = await createLabEngine({
      labsDir: LABS,
      stateDir: path.join(home, 'state'),
      provider,
      view: () => new StandInClusterView(provider),
      capabilities: async (names) => names.map((capability) => ({ capability, available: true })),
      labFilesRoot: path.join(home, 'lab-files'),
      breakGlassRunner: recordedApiserverNode(FIXTURE_MANIFEST),
      log: () => undefined,
    });
    server = await startTestServer({ home, apiRouters: [engine.router] });
    browser = await launchBrowser();
    app = await AppPage.open(browser.context, server.startUrl);
    await app.labList().open(LAB);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    engine?.close();
    fs.rmSync(path.dirname(FIXTURE_MANIFEST), { recursive: true, force: true });
  });

  it('a check that finds the apiserver down opens the diagnosis: crictl, its last log lines, the likely cause', async () => {
    // The learner's edit: the flag without its volume (what crash-looped on kind).
    fs.writeFileSync(FIXTURE_MANIFEST, `${ORIGINAL}    - --audit-policy-file=/etc/kubernetes/audit/policy.yaml\n`);
    const steps = app.labSteps();
    expect(await steps.check()).toBe('failed');
    const panel = new BreakGlassPanel(app.page);
    await expect.poll(() => panel.state(), { timeout: 10_000 }).toBe('down');
    expect(await panel.verdict()).toContain('kube-apiserver is not answering');
    expect(await panel.crictlTable()).toMatch(/Exited\s+kube-apiserver/);
    expect(await panel.logTail()).toContain('no such file or directory');
    expect(await panel.hint()).toContain('cannot open /etc/kubernetes/audit/policy.yaml inside its container');
  });

  it('Restore asks first, puts back the copy taken at lab start, and the panel sees the apiserver answer', async () => {
    const panel = new BreakGlassPanel(app.page);
    expect(await panel.askRestore()).toContain(`control-plane:${FIXTURE_MANIFEST}`);
    expect(await panel.confirmRestore()).toContain(`Restored control-plane:${FIXTURE_MANIFEST}`);
    expect(fs.readFileSync(FIXTURE_MANIFEST, 'utf8')).toBe(ORIGINAL);
    // The panel looks again every few seconds after a restore.
    await expect.poll(() => panel.state(), { timeout: 15_000 }).toBe('healthy');
    expect(await panel.verdict()).toContain('kube-apiserver answers again');
    expect(await app.labSteps().check()).toBe('passed');
  });

  it('had no console errors, failed requests or CSP violations', () => {
    expect(app.problems).toEqual([]);
  });
});
