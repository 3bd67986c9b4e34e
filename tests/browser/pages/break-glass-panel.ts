// Page object for the kube-apiserver break-glass panel that a failed health
// check opens under the step (web/src/components/ApiserverBreakGlass.tsx).
import type { Locator, Page } from 'playwright-core';

export class BreakGlassPanel {
  readonly root: Locator;

  constructor(readonly page: Page) {
    this.root = page.locator('article.step .apiserver-break-glass');
  }

  /** 'down' or 'healthy', once the first look has finished. */
  async state(): Promise<string | null> {
    return this.root.getAttribute('data-break-glass');
  }

  async verdict(): Promise<string> {
    return (await this.root.locator('.check-verdict').textContent()) ?? '';
  }

  async hint(): Promise<string> {
    return (await this.root.locator('[data-break-glass-hint]').textContent()) ?? '';
  }

  async crictlTable(): Promise<string> {
    return (await this.root.locator('[data-break-glass-ps]').textContent()) ?? '';
  }

  async logTail(): Promise<string> {
    return (await this.root.locator('[data-break-glass-log]').textContent()) ?? '';
  }

  restoreButton(): Locator {
    return this.root.locator('[data-action="break-glass-restore"]');
  }

  /** The confirmation's question, after pressing Restore. */
  async askRestore(): Promise<string> {
    await this.restoreButton().click();
    const group = this.root.getByRole('group', { name: 'Confirm restore' });
    await group.waitFor();
    return (await group.textContent()) ?? '';
  }

  /** Confirms; returns the restore result's summary line. */
  async confirmRestore(): Promise<string> {
    await this.root.locator('[data-action="break-glass-restore-confirm"]').click();
    const result = this.root.locator('[data-restore-result] summary');
    await result.waitFor();
    return (await result.textContent()) ?? '';
  }
}
