// TEST DOUBLE. A "cluster" whose nodes are local bash shells. It exists so
// that the server, the terminals and the browser tests run with a real PTY
// and a real shell where no kind cluster can run (unit/integration tier).
// The product never uses it; `test:cluster` covers the real thing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ClusterNode, ClusterStatus } from '../protocol.js';
import type { ClusterProvider, Command } from './provider.js';

export interface LocalShellStandInOptions {
  name?: string;
  /** Node targets to pretend to have. */
  targets?: ClusterNode['target'][];
  /** Working directory of every shell (a temp dir by default). */
  home?: string;
}

export class LocalShellStandInProvider implements ClusterProvider {
  readonly name: string;
  readonly kind = 'local-shell-stand-in';
  private readonly targets: string[];
  private readonly home: string;

  constructor(options: LocalShellStandInOptions = {}) {
    this.name = options.name ?? 'stand-in';
    this.targets = options.targets ?? ['control-plane', 'worker'];
    this.home = options.home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hardening-lab-stand-in-'));
  }

  async ensure(): Promise<void> {}

  async status(): Promise<ClusterStatus> {
    return { name: this.name, provider: this.kind, state: 'running', nodes: await this.nodes() };
  }

  async nodes(): Promise<ClusterNode[]> {
    return this.targets.map((target) => ({
      target,
      container: `${this.name}-${target}`,
      role: target === 'control-plane' ? 'control-plane' : 'worker',
      ready: true,
    }));
  }

  kubeconfigPath(): string {
    return path.join(this.home, 'kubeconfig');
  }

  private assertTarget(target: string): void {
    if (!this.targets.includes(target)) throw new Error(`No node "${target}" (have: ${this.targets.join(', ')})`);
  }

  nodeShellCommand(target: string): Command {
    this.assertTarget(target);
    // --norc/--noprofile: a predictable prompt, whatever the developer's dotfiles say.
    return {
      file: 'bash',
      args: ['--noprofile', '--norc', '-i'],
      cwd: this.home,
      env: { PS1: `root@${target}:\\w# `, TERM: 'xterm-256color', HOME: this.home, STAND_IN_NODE: target },
    };
  }

  nodeCommand(target: string, argv: string[]): Command {
    this.assertTarget(target);
    const [file, ...args] = argv;
    if (!file) throw new Error('nodeCommand needs a program to run');
    return { file, args, cwd: this.home, env: { STAND_IN_NODE: target } };
  }

  async delete(): Promise<void> {}
}
