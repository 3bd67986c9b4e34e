// All terminal tabs of the page, keyed by node target, plus which one is in
// front. Lives for the whole page (not per React render) so shells survive
// navigation between the lab list and a lab. React reads it through
// useSyncExternalStore (see use-terminal-hub.ts).
import type { SessionStore } from './session-store.js';
import { TerminalConnection } from './terminal-connection.js';

export type RunOutcome = { ok: true; target: string } | { ok: false; message: string };

export class TerminalHub {
  private readonly connections = new Map<string, TerminalConnection>();
  private readonly listeners = new Set<() => void>();
  private activeTarget: string | undefined;
  private versionValue = 0;

  constructor(private readonly sessions: SessionStore) {}

  /** Changes whenever tabs or the active tab change (a useSyncExternalStore snapshot). */
  get version(): number {
    return this.versionValue;
  }

  get active(): string | undefined {
    return this.activeTarget;
  }

  targets(): string[] {
    return [...this.connections.keys()];
  }

  get(target: string): TerminalConnection | undefined {
    return this.connections.get(target);
  }

  /**
   * Opens a tab for each node. Tabs of nodes that disappear stay: a cluster
   * that is briefly unreachable should not cost the learner their scrollback.
   */
  sync(targets: readonly string[]): void {
    let changed = false;
    for (const target of targets) {
      if (this.connections.has(target)) continue;
      this.connections.set(target, new TerminalConnection(target, this.sessions));
      changed = true;
    }
    if (this.activeTarget === undefined && targets[0] !== undefined) {
      this.activeTarget = targets[0];
      changed = true;
    }
    if (changed) this.changed();
  }

  activate(target: string): void {
    if (!this.connections.has(target) || this.activeTarget === target) return;
    this.activeTarget = target;
    this.changed();
  }

  /** Runs a code block in the terminal its `run=` names, bringing that tab to the front. */
  run(text: string, target: string): RunOutcome {
    const connection = this.connections.get(target);
    if (!connection) {
      const have = this.targets();
      return {
        ok: false,
        message: `There is no "${target}" terminal${have.length ? ` (open: ${have.join(', ')})` : ''}. Is the cluster running?`,
      };
    }
    this.activate(target);
    connection.run(text);
    return { ok: true, target };
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispose(): void {
    for (const connection of this.connections.values()) connection.dispose();
    this.connections.clear();
    this.changed();
  }

  private changed(): void {
    this.versionValue += 1;
    for (const listener of this.listeners) listener();
  }
}
