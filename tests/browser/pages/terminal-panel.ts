// Page object for one terminal tab. Reads what the terminal shows from
// xterm.js's buffer through the ?testHooks=1 hooks: the renderer's DOM is an
// implementation detail, the buffer is what the learner sees.
import type { Locator, Page } from 'playwright-core';
import type { PageGlobals } from '../support/page-globals.js';

export class TerminalPanel {
  readonly tab: Locator;
  readonly pane: Locator;

  constructor(
    readonly page: Page,
    readonly target: string,
  ) {
    this.tab = page.locator(`[data-terminal-tab="${target}"]`);
    this.pane = page.locator(`[data-terminal-target="${target}"]`);
  }

  async activate(): Promise<void> {
    await this.tab.click();
  }

  async isActive(): Promise<boolean> {
    return (await this.tab.getAttribute('aria-selected')) === 'true';
  }

  /** Keyboard focus into the terminal, as a click would give it. */
  async focus(): Promise<void> {
    await this.activate();
    await this.pane.locator('.xterm-screen').click();
  }

  /** Types like a user (real key events through xterm.js). */
  async type(text: string): Promise<void> {
    await this.focus();
    await this.page.keyboard.type(text);
  }

  async runCommand(command: string): Promise<void> {
    await this.type(command);
    await this.page.keyboard.press('Enter');
  }

  /** Every line of the buffer (scrollback + screen), trailing blanks trimmed. */
  async lines(): Promise<string[]> {
    return this.page.evaluate((target) => {
      const handle = (globalThis as unknown as PageGlobals).__hardeningLab?.terminals[target];
      if (!handle) return [];
      const buffer = handle.term.buffer.active;
      const out: string[] = [];
      for (let i = 0; i < buffer.length; i++) out.push(buffer.getLine(i)?.translateToString(true) ?? '');
      return out;
    }, this.target);
  }

  async text(): Promise<string> {
    return (await this.lines()).join('\n');
  }

  /** Waits until some line matches; returns the first matching line. */
  async waitForLine(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    const handle = await this.page.waitForFunction(
      ({ target, source, flags }) => {
        const term = (globalThis as unknown as PageGlobals).__hardeningLab?.terminals[target]?.term;
        if (!term) return false;
        const regex = new RegExp(source, flags);
        const buffer = term.buffer.active;
        for (let i = 0; i < buffer.length; i++) {
          const line = buffer.getLine(i)?.translateToString(true) ?? '';
          if (regex.test(line)) return line;
        }
        return false;
      },
      { target: this.target, source: pattern.source, flags: pattern.flags },
      { timeout: timeoutMs, polling: 50 },
    );
    return (await handle.jsonValue()) as string;
  }

  /** Runs a command that prints `<marker>=<value>` and returns the value (unique markers avoid matching old output). */
  async evaluate(expression: string, timeoutMs = 10_000): Promise<string> {
    const marker = `v${Math.random().toString(36).slice(2, 10)}`;
    await this.runCommand(`echo ${marker}=${expression}`);
    const line = await this.waitForLine(new RegExp(`^${marker}=(\\S*)$`), timeoutMs);
    return line.slice(marker.length + 1);
  }

  /** The server-side session this tab is attached to (kept across reloads). */
  async sessionId(): Promise<string | null> {
    return this.page.evaluate(
      (target) =>
        (globalThis as unknown as PageGlobals).sessionStorage.getItem(`hardening-lab:terminal-session:${target}`),
      this.target,
    );
  }

  async phase(): Promise<string | null> {
    const overlay = this.pane.locator('[data-terminal-phase]');
    return (await overlay.count()) === 0 ? 'connected' : overlay.getAttribute('data-terminal-phase');
  }
}
