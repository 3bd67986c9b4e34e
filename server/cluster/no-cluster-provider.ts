// `serve --no-cluster`: the page and the API work, and everything that would
// need a cluster says plainly that there is none and how to start it.
import type { ClusterNode, ClusterStatus } from '../protocol.js';
import type { ClusterProvider, Command } from './provider.js';

const HOW_TO_START = 'The cluster is not running. Start it with `npm start` (or `hardening-lab up`).';

export class NoClusterProvider implements ClusterProvider {
  readonly kind = 'none';
  constructor(readonly name: string) {}
  async ensure(): Promise<void> {
    throw new Error(HOW_TO_START);
  }
  async status(): Promise<ClusterStatus> {
    return { name: this.name, provider: this.kind, state: 'disabled', nodes: [], message: HOW_TO_START };
  }
  async nodes(): Promise<ClusterNode[]> {
    return [];
  }
  kubeconfigPath(): string {
    throw new Error(HOW_TO_START);
  }
  nodeShellCommand(): Command {
    throw new Error(HOW_TO_START);
  }
  nodeCommand(): Command {
    throw new Error(HOW_TO_START);
  }
  async delete(): Promise<void> {}
}
