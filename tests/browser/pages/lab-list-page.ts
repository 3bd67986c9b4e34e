import type { Locator, Page } from 'playwright-core';

export class LabListPage {
  constructor(readonly page: Page) {}

  card(labId: string): Locator {
    return this.page.locator(`.lab-card[data-lab-id="${labId}"]`);
  }

  async labIds(): Promise<string[]> {
    await this.page.locator('.lab-card').first().waitFor();
    return this.page
      .locator('.lab-card')
      .evaluateAll((cards) => cards.map((card) => card.getAttribute('data-lab-id') ?? ''));
  }

  async progress(labId: string): Promise<string> {
    return (await this.card(labId).locator('[data-lab-progress]').textContent()) ?? '';
  }

  /** The "cannot run on this host" notice, or null when the lab is runnable. */
  async notRunnableReason(labId: string): Promise<string | null> {
    const notice = this.card(labId).locator('.not-runnable');
    return (await notice.count()) === 0 ? null : notice.innerText();
  }

  async open(labId: string): Promise<void> {
    await this.card(labId).locator('.lab-card-title a').click();
    await this.page.locator(`.lab[data-lab-id="${labId}"]`).waitFor();
  }
}
