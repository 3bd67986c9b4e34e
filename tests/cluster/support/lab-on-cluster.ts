// What every lab's cluster-tier test needs: the cluster scripts/test-cluster.sh
// made (KUBECONFIG, HARDENING_LAB_CLUSTER), a view onto it, and the lab's
// scripts run on the control-plane node exactly as test-lab runs them.
import path from 'node:path';
import { KubeClusterView } from '../../../server/checks/kube-cluster-view.js';
import { KindProvider } from '../../../server/cluster/kind-provider.js';
import { PROJECT_ROOT } from '../../../server/config.js';
import type { LoadedLab, LoadedStep } from '../../../server/labs/lab.js';
import { loadLab } from '../../../server/labs/lab-loader.js';
import { NodeScriptRunner, SCRIPT_TIMEOUT_MS, type ScriptRun } from '../../../server/labs/node-scripts.js';

export function clusterFromEnv(): { kubeconfig: string; cluster: string } {
  const kubeconfig = process.env.KUBECONFIG;
  const cluster = process.env.HARDENING_LAB_CLUSTER;
  if (!kubeconfig || !cluster) {
    throw new Error(
      'KUBECONFIG and HARDENING_LAB_CLUSTER must be set: run the cluster tier with `npm run test:cluster`.',
    );
  }
  return { kubeconfig, cluster };
}

export class LabOnCluster {
  readonly cluster: string;
  readonly provider: KindProvider;
  readonly view: KubeClusterView;
  private readonly scripts: NodeScriptRunner;
  private loaded: LoadedLab | undefined;

  /** `timeoutMs`: checks right after an apiserver restart need a longer deadline than the page's. */
  constructor(
    private readonly labId: string,
    options: { timeoutMs?: number } = {},
  ) {
    const { kubeconfig, cluster } = clusterFromEnv();
    this.cluster = cluster;
    this.provider = new KindProvider({ name: cluster, image: 'unused', kindConfig: 'unused' });
    this.view = new KubeClusterView({
      provider: this.provider,
      kubeconfigPath: kubeconfig,
      ...(options.timeoutMs ? { defaultTimeoutMs: options.timeoutMs } : {}),
    });
    this.scripts = new NodeScriptRunner({ provider: this.provider });
  }

  async load(): Promise<LoadedLab> {
    const loaded = await loadLab(path.join(PROJECT_ROOT, 'labs', this.labId));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    this.loaded = loaded.lab;
    return loaded.lab;
  }

  get lab(): LoadedLab {
    if (!this.loaded) throw new Error('call load() first (in beforeAll)');
    return this.loaded;
  }

  /** Runs a script on the control plane; the caller judges the outcome. */
  attempt(name: string, script: string, timeoutMs: number = SCRIPT_TIMEOUT_MS.solution): Promise<ScriptRun> {
    return this.scripts.run(this.lab, { node: 'control-plane', name, script, timeoutMs });
  }

  /** Runs a script on the control plane and throws with its log when it fails. */
  async run(name: string, script: string, timeoutMs: number = SCRIPT_TIMEOUT_MS.solution): Promise<string> {
    const result = await this.attempt(name, script, timeoutMs);
    if (!result.ok) throw new Error(`${name} failed (exit ${String(result.exitCode)}):\n${result.log}`);
    return result.log;
  }

  step(id: string): LoadedStep {
    const found = this.lab.steps.find((s) => s.id === id);
    if (!found) throw new Error(`no step ${id}`);
    return found;
  }
}
