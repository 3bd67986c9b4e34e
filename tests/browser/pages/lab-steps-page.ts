// Page object for a lab's steps pane: code blocks with Copy/Run, and the step
// flow (check → findings, hints, solution, reset). Step-flow tests against the
// real lab engine can reuse it unchanged.
import type { Locator, Page } from 'playwright-core';
import type { PageGlobals } from '../support/page-globals.js';

export interface FindingView {
  ok: boolean;
  text: string;
}

export class LabStepsPage {
  readonly root: Locator;
  readonly step: Locator;

  constructor(readonly page: Page) {
    this.root = page.locator('.lab');
    this.step = page.locator('article.step');
  }

  async currentStepId(): Promise<string | null> {
    return this.step.getAttribute('data-step-id');
  }

  async currentStepStatus(): Promise<string | null> {
    return this.step.getAttribute('data-step-status');
  }

  async stepStatus(stepId: string): Promise<string | null> {
    return this.page.locator(`[data-step-nav="${stepId}"]`).getAttribute('data-step-status');
  }

  async selectStep(stepId: string): Promise<void> {
    await this.page.locator(`[data-step-nav="${stepId}"]`).click();
    await this.page.locator(`article.step[data-step-id="${stepId}"]`).waitFor();
  }

  async next(): Promise<void> {
    await this.step.locator('[data-action="next-step"]').click();
  }

  codeBlocks(): Locator {
    return this.step.locator('.step-text .code-block');
  }

  /** Clicks Run on the code block containing `text`. */
  async run(text: string): Promise<void> {
    await this.page.locator('.code-block', { hasText: text }).locator('[data-code-action="run"]').first().click();
  }

  async copy(text: string): Promise<void> {
    await this.page.locator('.code-block', { hasText: text }).locator('[data-code-action="copy"]').first().click();
  }

  checkButton(): Locator {
    return this.step.locator('[data-action="check"]');
  }

  /** Presses Check and waits for the verdict ('passed' | 'failed' | 'error'). */
  async check(): Promise<string> {
    await this.checkButton().click();
    const result = this.step.locator('[data-check-result]');
    await this.page.waitForFunction(() => {
      const { document } = globalThis as unknown as PageGlobals;
      const button = document.querySelector('article.step [data-action="check"]');
      return (
        button?.getAttribute('aria-busy') === 'false' &&
        document.querySelector('article.step [data-check-result]') !== null
      );
    });
    return (await result.getAttribute('data-check-result')) ?? '';
  }

  async findings(): Promise<FindingView[]> {
    return this.step
      .locator('.findings > li')
      .evaluateAll((items) =>
        items.map((item) => ({ ok: item.getAttribute('data-finding-ok') === 'true', text: item.textContent ?? '' })),
      );
  }

  async showHint(): Promise<void> {
    const before = await this.hints();
    await this.step.locator('[data-action="hint"]').click();
    await this.step.locator(`[data-hint="${before.length}"]`).waitFor();
  }

  async hints(): Promise<string[]> {
    return this.step.locator('[data-hint]').allInnerTexts();
  }

  solutionButton(): Locator {
    return this.step.locator('[data-action="solution"]');
  }

  async showSolution(): Promise<string> {
    await this.solutionButton().click();
    const solution = this.step.locator('[data-solution] code');
    await solution.waitFor();
    return (await solution.textContent()) ?? '';
  }

  async runSolution(): Promise<void> {
    await this.step.locator('[data-solution] [data-code-action="run"]').click();
  }

  /** Reset with its confirmation; returns the reset log. */
  async reset(): Promise<string> {
    await this.root.locator('[data-action="reset"]').click();
    await this.root.locator('[data-action="reset-confirm"]').click();
    const log = this.root.locator('[data-reset-result] pre');
    await log.waitFor({ state: 'attached' });
    return (await log.textContent()) ?? '';
  }
}
