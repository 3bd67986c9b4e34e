// The lab UI in headless Chromium, served by the real server with a FIXTURE
// lab router (tests/browser/fixtures, not the lab engine) and the
// LocalShellStandInProvider TEST DOUBLE (its nodes are local bash shells).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APPARMOR_REASON,
  FIXTURE_BLOCKED_LAB_ID,
  FIXTURE_LAB_ID,
  HARDENED_FILE,
  createFixtureLabRouter,
  type FixtureLabRouter,
} from './fixtures/fixture-lab-router.js';
import { AppPage } from './pages/app-page.js';
import { launchBrowser, type TestBrowser } from './support/browser.js';
import type { PageGlobals } from './support/page-globals.js';
import { startTestServer, type TestServer } from './support/server.js';

describe('lab page with a fixture lab router (stand-in nodes are local bash shells)', () => {
  let server: TestServer;
  let fixture: FixtureLabRouter;
  let browser: TestBrowser;
  let app: AppPage;

  beforeAll(async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hardening-lab-browser-'));
    fixture = createFixtureLabRouter(home);
    server = await startTestServer({ home, apiRouters: [fixture.router] });
    browser = await launchBrowser();
    app = await AppPage.open(browser.context, server.startUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists the labs with progress, and says before starting why a lab cannot run here', async () => {
    const list = app.labList();
    expect(await list.labIds()).toEqual([FIXTURE_LAB_ID, FIXTURE_BLOCKED_LAB_ID]);
    expect(await list.progress(FIXTURE_LAB_ID)).toContain('2 steps');
    expect(await list.notRunnableReason(FIXTURE_LAB_ID)).toBeNull();
    const reason = await list.notRunnableReason(FIXTURE_BLOCKED_LAB_ID);
    expect(reason).toContain('cannot run on this host');
    expect(reason).toContain(APPARMOR_REASON);
  });

  it('opens a lab beside the terminals without reconnecting them, starting it with a POST', async () => {
    const sessionBefore = await app.terminal('control-plane').sessionId();
    expect(fixture.starts()).toBe(0);
    await app.labList().open(FIXTURE_LAB_ID);
    expect(fixture.starts()).toBeGreaterThan(0);
    expect(new URL(app.page.url()).pathname).toBe(`/labs/${FIXTURE_LAB_ID}`);
    expect(await app.labSteps().currentStepId()).toBe('make-marker');
    expect(await app.terminal('control-plane').sessionId()).toBe(sessionBefore);
  });

  it('Run on a `run=control-plane` block types it into that terminal, switching tabs, and runs it', async () => {
    const worker = app.terminal('worker');
    const controlPlane = app.terminal('control-plane');
    await worker.activate();
    await app.labSteps().run('echo fixture-ran-$((40+2))');
    expect(await controlPlane.isActive()).toBe(true);
    expect(await controlPlane.waitForLine(/echo fixture-ran-\$\(\(40\+2\)\)$/)).toContain('echo fixture-ran');
    expect(await controlPlane.waitForLine(/^fixture-ran-42$/)).toBe('fixture-ran-42');
  });

  it('Run after the shell exited starts a new shell and runs the block there', async () => {
    const controlPlane = app.terminal('control-plane');
    await controlPlane.runCommand('exit');
    await controlPlane.waitForLine(/The shell exited/);
    await app.page.locator('.code-block', { hasText: 'echo fixture-ran' }).locator('[data-code-action="run"]').click();
    await app.waitUntilReady();
    expect(await controlPlane.waitForLine(/^fixture-ran-42$/)).toBe('fixture-ran-42');
  });

  it('offers only Copy on fences without run= (labs/README.md): templates, YAML, output', async () => {
    for (const text of ['template=$STAND_IN_NODE', 'apiVersion: v1', 'fixture-ran-42']) {
      const block = app.page.locator('.code-block', { hasText: text }).last();
      expect(await block.locator('[data-code-action="copy"]').count()).toBe(1);
      expect(await block.locator('[data-code-action="run"]').count()).toBe(0);
    }
  });

  it('Copy puts the block on the clipboard', async () => {
    await app.labSteps().copy('apiVersion: v1');
    const copied = await app.page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.clipboard.readText());
    expect(copied).toBe('apiVersion: v1\nkind: Pod');
  });

  it('renders callouts and keeps raw HTML and javascript: links inert', async () => {
    const text = app.page.locator('.step-text');
    expect(await text.locator('blockquote.callout-warning').count()).toBe(1);
    expect(await text.locator('blockquote.callout-note .callout-title').textContent()).toBe('Note');
    // The only image is the lab's own, from its assets; the outside one is just its alt text.
    const images = text.locator('img');
    expect(await images.count()).toBe(1);
    // Behind the credential like all of /api: fetched with it, shown from a blob: URL.
    expect(await images.getAttribute('data-lab-asset')).toBe(`/api/labs/${FIXTURE_LAB_ID}/assets/images/dot.png`);
    await expect.poll(() => images.getAttribute('src')).toMatch(/^blob:/);
    await expect
      .poll(() => images.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBe(1);
    expect(await text.innerText()).toContain('an outside image');
    expect(await text.locator('script').count()).toBe(0);
    expect(await text.innerText()).toContain('<script>window.__xss = 2</script>');
    expect(await text.locator('a', { hasText: 'a bad link' }).count()).toBe(0);
    expect(await text.locator('a', { hasText: 'a tab-split link' }).count()).toBe(0);
    expect(await text.locator('a[href*="script:" i]').count()).toBe(0);
    expect(await text.locator('a', { hasText: 'a good one' }).getAttribute('rel')).toBe('noopener noreferrer');
    expect(await app.page.evaluate(() => (globalThis as unknown as PageGlobals).__xss)).toBeUndefined();
  });

  it('locks the next step until this one passes, but lets the learner read it', async () => {
    const steps = app.labSteps();
    expect(await steps.stepStatus('worker-step')).toBe('locked');
    await steps.selectStep('worker-step');
    expect(await steps.checkButton().isDisabled()).toBe(true);
    await expect.poll(() => fixture.currentStepId()).toBe('worker-step');
    await steps.selectStep('make-marker');
  });

  it('a failed check lists what it expected and what it found', async () => {
    const steps = app.labSteps();
    expect(await steps.solutionButton().isDisabled()).toBe(true);
    expect(await steps.check()).toBe('failed');
    const findings = await steps.findings();
    expect(findings).toHaveLength(1);
    expect(findings[0]?.ok).toBe(false);
    expect(findings[0]?.text).toContain(`file ${HARDENED_FILE} exists`);
    expect(findings[0]?.text).toContain('no such file');
    expect(findings[0]?.text).toContain('Create it with touch.');
  });

  it('reveals hints one at a time', async () => {
    const steps = app.labSteps();
    await steps.showHint();
    expect(await steps.hints()).toEqual(['Use touch.']);
    await steps.showHint();
    expect((await steps.hints())[1]).toContain(HARDENED_FILE);
    expect(await app.page.locator('[data-action="hint"]').isDisabled()).toBe(true);
  });

  it('shows the solution, runs it in the terminal, and the check passes and unlocks the next step', async () => {
    const steps = app.labSteps();
    const controlPlane = app.terminal('control-plane');
    const pid = await controlPlane.evaluate('$$');
    expect(await steps.showSolution()).toContain(`cat > ${HARDENED_FILE}`);
    await app.terminal('worker').activate();
    await steps.runSolution();
    expect(await controlPlane.isActive()).toBe(true);
    await controlPlane.waitForLine(/^solution-applied$/);
    // The script's `exit 0` ended a child bash, not the learner's shell.
    expect(await controlPlane.evaluate('$$')).toBe(pid);
    expect(fs.existsSync(path.join(server.home, HARDENED_FILE))).toBe(true);
    expect(await steps.check()).toBe('passed');
    await expect.poll(() => steps.stepStatus('worker-step')).toBe('open');
    await steps.next();
    expect(await steps.currentStepId()).toBe('worker-step');
  });

  it('Run types a multi-line block with a heredoc into the worker as one command', async () => {
    await app.labSteps().run('worker-note.txt <<');
    const worker = app.terminal('worker');
    expect(await worker.isActive()).toBe(true);
    expect(await worker.waitForLine(/^note=1 on=worker$/)).toBe('note=1 on=worker');
    expect(fs.readFileSync(path.join(server.home, 'worker-note.txt'), 'utf8')).toBe('written on $STAND_IN_NODE\n');
  });

  it('reopens at the step the learner was on after a reload', async () => {
    await expect.poll(() => fixture.currentStepId()).toBe('worker-step');
    await app.reload();
    expect(await app.labSteps().currentStepId()).toBe('worker-step');
    expect(await app.labSteps().stepStatus('make-marker')).toBe('passed');
  });

  it('resets the lab after confirmation and starts over at step one', async () => {
    const steps = app.labSteps();
    // Reset from the step that was just solved: its verdict and hints are on screen.
    await steps.selectStep('make-marker');
    expect(await steps.step.locator('[data-check-result]').getAttribute('data-check-result')).toBe('passed');
    expect(await steps.reset()).toContain(`removed ${HARDENED_FILE}`);
    await expect.poll(() => steps.stepStatus('make-marker')).toBe('open');
    expect(await steps.currentStepId()).toBe('make-marker');
    // Nothing of the earlier attempt lingers: no verdict, no hints, solution hidden again.
    expect(await steps.step.locator('[data-check-result]').count()).toBe(0);
    expect(await steps.hints()).toEqual([]);
    expect(await steps.solutionButton().isDisabled()).toBe(true);
    expect(fs.existsSync(path.join(server.home, HARDENED_FILE))).toBe(false);
  });

  it('had no console errors, failed requests or CSP violations', () => {
    expect(app.problems).toEqual([]);
  });
});
