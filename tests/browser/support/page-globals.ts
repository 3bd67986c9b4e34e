// What tests touch inside the page. page.evaluate callbacks run in Chromium
// but are type-checked with the Node tsconfig (no DOM lib), so they cast
// `globalThis` to this shape. Type-only: callbacks are serialized to the
// page and may not reference anything imported at runtime.
export interface PageBufferLine {
  translateToString(trimRight?: boolean): string;
}

export interface PageTerminal {
  buffer: { active: { length: number; getLine(y: number): PageBufferLine | undefined } };
  cols: number;
  rows: number;
  selectAll(): void;
  getSelection(): string;
  write(data: string, callback?: () => void): void;
}

/** Mirrors web/src/testing/test-hooks.ts (the contract the benchmark also uses). */
export interface PageTestHooks {
  ready: boolean;
  terminals: Record<string, { term: PageTerminal; send(data: string): void }>;
  createTerminal(): PageTerminal;
}

interface PageElement {
  getAttribute(name: string): string | null;
}

export interface PageGlobals {
  __hardeningLab?: PageTestHooks;
  /** Set by the XSS probes in the fixture lab's Markdown if they ever ran. */
  __xss?: unknown;
  sessionStorage: {
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
  };
  document: { querySelector(selector: string): PageElement | null };
  navigator: { clipboard: { readText(): Promise<string>; writeText(text: string): Promise<void> } };
}
