// The server starts before (or without) the cluster, and `up` may recreate
// it with new certificates. So the real view is built on first use and
// rebuilt when the kubeconfig file changes.
import fs from 'node:fs';
import type { ClusterProvider } from '../cluster/provider.js';
import type { ClusterView } from './cluster-view.js';
import { ClusterUnreachableError } from './cluster-unreachable.js';
import { KubeClusterView } from './kube-cluster-view.js';

export class KubeClusterViewSource {
  private current: { view: KubeClusterView; stamp: string } | undefined;

  constructor(
    private readonly provider: ClusterProvider,
    private readonly options: { kubeconfigPath?: string; defaultTimeoutMs?: number } = {},
  ) {}

  get(): ClusterView {
    const file = this.options.kubeconfigPath ?? this.provider.kubeconfigPath();
    let stamp: string;
    try {
      const stat = fs.statSync(file);
      stamp = `${stat.mtimeMs}:${stat.size}`;
    } catch {
      throw new ClusterUnreachableError(
        `There is no cluster to check against yet: the kubeconfig ${file} does not exist. Run \`hardening-lab up\` (or \`npm start\`) to create the cluster, then check again.`,
        'unreachable',
        file,
      );
    }
    if (this.current?.stamp !== stamp) {
      this.current?.view.close();
      const view = new KubeClusterView({
        provider: this.provider,
        kubeconfigPath: file,
        ...(this.options.defaultTimeoutMs ? { defaultTimeoutMs: this.options.defaultTimeoutMs } : {}),
      });
      this.current = { view, stamp };
    }
    return this.current.view;
  }

  close(): void {
    this.current?.view.close();
    this.current = undefined;
  }
}
