// The labs in labs/ as the page renders them: every step's Markdown, with a
// Run button exactly where the author wrote `run=`. Served by a read-only
// FIXTURE router over the real catalog (not the lab engine); terminals are
// the LocalShellStandInProvider TEST DOUBLE (local bash shells).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LABS_DIR } from '../../server/labs/lab-engine.js';
import { loadCatalog, type LabCatalog } from '../../server/labs/lab-catalog.js';
import { createShippedLabsRouter } from './fixtures/shipped-labs-router.js';
import { AppPage } from './pages/app-page.js';
import { launchBrowser, type TestBrowser } from './support/browser.js';
import { startTestServer, type TestServer } from './support/server.js';

/** Fences the author marked for Run (what the page must offer, no more, no less). */
function runFences(markdown: string): number {
  return [...markdown.matchAll(/^ {0,3}(`{3,}|~{3,})[^\n]*\brun=[a-z0-9-]+/gm)].length;
}

describe('the shipped labs render (fixture router over labs/, stand-in nodes are local bash shells)', () => {
  let catalog: LabCatalog;
  let server: TestServer;
  let browser: TestBrowser;
  let app: AppPage;

  beforeAll(async () => {
    catalog = await loadCatalog(DEFAULT_LABS_DIR);
    server = await startTestServer({ apiRouters: [createShippedLabsRouter(catalog)] });
    browser = await launchBrowser();
    app = await AppPage.open(browser.context, server.startUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists every lab that loaded', async () => {
    expect(catalog.list().length).toBeGreaterThan(0);
    expect(await app.labList().labIds()).toEqual(catalog.list().map((lab) => lab.id));
  });

  it('renders every step with Copy on each code block and Run exactly where the author wrote run=', async () => {
    const seen: string[] = [];
    for (const lab of catalog.list()) {
      await app.goto(`/labs/${lab.id}`);
      const steps = app.labSteps();
      for (const step of lab.steps) {
        await steps.selectStep(step.id);
        const text = app.page.locator('.step-text');
        expect(await text.locator('[data-code-action="run"]').count(), `${lab.id}/${step.id} Run buttons`).toBe(
          runFences(step.markdown),
        );
        expect(await text.locator('.code-block').count()).toBe(await text.locator('[data-code-action="copy"]').count());
        // Lab text carries no raw HTML; if it ever does, it shows as text.
        expect(await text.locator('script, iframe, img[onerror]').count()).toBe(0);
        seen.push(`${lab.id}/${step.id}`);
      }
    }
    expect(seen.length).toBe(catalog.list().reduce((n, lab) => n + lab.steps.length, 0));
    expect(app.problems).toEqual([]);
  });
});
