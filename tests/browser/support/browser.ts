// Headless Chromium for browser tests: Debian's /usr/bin/chromium driven by
// playwright-core, each test file with a fresh, throwaway profile.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** Chromium may still be arriving via apt on a fresh machine; wait a while rather than fail at once. */
async function waitForChromium(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(CHROMIUM_PATH)) {
    if (Date.now() > deadline) {
      throw new Error(`Chromium not found at ${CHROMIUM_PATH} (install the "chromium" package or set CHROMIUM_PATH).`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  await waitForChromium(30_000);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hardening-lab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1400, height: 900 },
    // Copy/paste tests need the async Clipboard API without a prompt.
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
