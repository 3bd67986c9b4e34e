// Page object for the whole page (headlamp style): opening it the way a
// learner does, waiting until the terminals are attached, and handing out
// the page objects of its parts.
import type { BrowserContext, Locator, Page } from 'playwright-core';
import type { PageGlobals } from '../support/page-globals.js';
import { LabListPage } from './lab-list-page.js';
import { LabStepsPage } from './lab-steps-page.js';
import { TerminalPanel } from './terminal-panel.js';

/**
 * Chromium's warning for a frame (an ack, a pong) sent in the instant between
 * a killed server's close frame and the socket's close event. The page cannot
 * prevent it (socket.io writes its own pongs); it is expected only while a
 * test kills the server on purpose.
 */
export const KILLED_SERVER_WARNING = 'console: WebSocket is already in CLOSING or CLOSED state.';

/**
 * What Chromium logs each time the page's socket.io client tries to
 * reconnect to `serverUrl` while that server is down: expected only while a
 * test has stopped the server on purpose (a busy machine makes the outage
 * long enough for several tries).
 */
export function refusedReconnect(serverUrl: string): string {
  const { host } = new URL(serverUrl);
  return `console: WebSocket connection to 'ws://${host}/socket.io/?EIO=4&transport=websocket' failed: Error in connection establishment: net::ERR_CONNECTION_REFUSED`;
}

export class AppPage {
  readonly clusterBanner: Locator;
  /** Console errors (CSP violations land here), failed requests and uncaught exceptions, as they happen. */
  readonly problems: string[] = [];

  constructor(readonly page: Page) {
    this.clusterBanner = page.locator('.cluster-banner');
    page.on('console', (message) => {
      // Failed requests are recorded with their URL below; the console line lacks it.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        this.problems.push(`console: ${message.text()}`);
      }
    });
    page.on('response', (response) => {
      if (response.status() >= 400)
        this.problems.push(`http ${response.status()}: ${new URL(response.url()).pathname}`);
    });
    page.on('pageerror', (error) => this.problems.push(`pageerror: ${error.message}`));
  }

  /**
   * Runs `action`; problems it causes that are listed in `expected` are
   * dropped, anything else stays for the test's final "no problems" check.
   */
  async expectingOnly(expected: readonly string[], action: () => Promise<void>): Promise<void> {
    const before = this.problems.length;
    try {
      await action();
    } finally {
      const during = this.problems.splice(before);
      this.problems.push(...during.filter((p) => !expected.includes(p)));
    }
  }

  /** Opens the start URL (token in the query) in a new tab and waits for the terminals. */
  static async open(context: BrowserContext, startUrl: string): Promise<AppPage> {
    const page = await context.newPage();
    const app = new AppPage(page);
    await page.goto(startUrl);
    await app.waitUntilReady();
    return app;
  }

  async goto(path: string): Promise<void> {
    const url = new URL(this.page.url());
    await this.page.goto(new URL(path + url.search, url).toString());
    await this.waitUntilReady();
  }

  async waitUntilReady(timeoutMs = 20_000): Promise<void> {
    await this.page.waitForFunction(
      () => (globalThis as unknown as PageGlobals).__hardeningLab?.ready === true,
      undefined,
      { timeout: timeoutMs, polling: 50 },
    );
  }

  async reload(): Promise<void> {
    await this.page.reload();
    await this.waitUntilReady();
  }

  async clusterState(): Promise<string | null> {
    return this.clusterBanner.getAttribute('data-cluster-state');
  }

  terminal(target: string): TerminalPanel {
    return new TerminalPanel(this.page, target);
  }

  labList(): LabListPage {
    return new LabListPage(this.page);
  }

  labSteps(): LabStepsPage {
    return new LabStepsPage(this.page);
  }

  async terminalTargets(): Promise<string[]> {
    return this.page
      .locator('[data-terminal-tab]')
      .evaluateAll((tabs) => tabs.map((tab) => tab.getAttribute('data-terminal-tab') ?? ''));
  }
}
