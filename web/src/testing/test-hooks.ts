// Hooks for browser tests and the terminal benchmark (scripts/bench/terminal.ts),
// installed only when the URL has ?testHooks=1. The shape is a contract:
//   window.__hardeningLab = { ready, terminals: { [target]: { term, send } }, createTerminal() }
import { Terminal } from '@xterm/xterm';
import type { TerminalHub } from '../terminals/terminal-hub.js';
import { TERMINAL_OPTIONS } from '../terminals/terminal-options.js';

export interface TerminalTestHandle {
  term: Terminal;
  /** Input straight to the shell, bypassing the keyboard. */
  send(data: string): void;
}

export interface HardeningLabTestHooks {
  /** True once every terminal tab is attached to its shell. */
  ready: boolean;
  terminals: Record<string, TerminalTestHandle>;
  /** A fresh xterm.js Terminal with the page's options, opened offscreen, joined to nothing (parser benchmarks). */
  createTerminal(): Terminal;
}

declare global {
  interface Window {
    __hardeningLab?: HardeningLabTestHooks;
  }
}

export function testHooksRequested(search: string): boolean {
  return new URLSearchParams(search).get('testHooks') === '1';
}

function createOffscreenTerminal(): Terminal {
  const host = document.createElement('div');
  // Sized like a real pane and rendered (not display:none) so the benchmark
  // pays the same rendering cost as a visible terminal.
  host.className = 'offscreen-terminal';
  host.setAttribute('aria-hidden', 'true');
  document.body.appendChild(host);
  const term = new Terminal(TERMINAL_OPTIONS);
  term.open(host);
  return term;
}

export function installTestHooks(hub: TerminalHub): void {
  const hooks: HardeningLabTestHooks = { ready: false, terminals: {}, createTerminal: createOffscreenTerminal };
  window.__hardeningLab = hooks;
  const watched = new Set<string>();

  const update = (): void => {
    const targets = hub.targets();
    for (const target of targets) {
      const connection = hub.get(target);
      if (!connection) continue;
      hooks.terminals[target] = { term: connection.term, send: (data) => connection.send(data) };
      if (!watched.has(target)) {
        watched.add(target);
        connection.subscribe(update);
      }
    }
    hooks.ready = targets.length > 0 && targets.every((target) => hub.get(target)?.status.phase === 'connected');
  };
  hub.subscribe(update);
  update();
}
