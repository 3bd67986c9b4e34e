// The one thing the CLI wires in: everything the labs need, built from the
// labs directory, the state directory and the cluster provider.
//
//   const engine = await createLabEngine({ labsDir, stateDir: stateDir(), provider });
//   for (const p of engine.catalog.problems) log(formatProblem(p));
//   await startServer({ ..., apiRouters: [engine.router] });
//   ... on shutdown: engine.close();
import path from 'node:path';
import { Router } from 'express';
import { CheckRunner } from '../checks/check-runner.js';
import type { ClusterView } from '../checks/cluster-view.js';
import { KubeClusterViewSource } from '../checks/cluster-view-source.js';
import type { ClusterProvider } from '../cluster/provider.js';
import { PROJECT_ROOT } from '../config.js';
import { ProgressStore } from '../progress/progress-store.js';
import { probeHostCapabilities, type CapabilityProbe } from './capabilities.js';
import { LabBackups } from './lab-backups.js';
import { loadCatalog, type LabCatalog } from './lab-catalog.js';
import { createLabRouter } from './lab-routes.js';
import type { NodeRunner } from './apiserver-diagnosis.js';
import { createBreakGlassRouter } from './apiserver-diagnosis-routes.js';
import { LabService, type ClusterHealthWatch, type ImageProbe } from './lab-service.js';
import { clusterHealth, recreateDnsCanary, restartCoreDns, waitForClusterHealth } from '../checks/cluster-health.js';
import { ImagePresence } from '../cluster/image-presence.js';
import { NodeScriptRunner } from './node-scripts.js';

export const DEFAULT_LABS_DIR = path.join(PROJECT_ROOT, 'labs');

export interface LabEngineOptions {
  /** Defaults to <repo>/labs. */
  labsDir?: string;
  /** The product's state directory (progress database, backups). */
  stateDir: string;
  provider: ClusterProvider;
  /** Override the view checks use (tests: a RecordedClusterView). Default: the real cluster. */
  view?: () => ClusterView | Promise<ClusterView>;
  capabilities?: CapabilityProbe;
  /** Whether the cluster works after a reset. Default: asked of the real cluster (none with `view`). */
  health?: ClusterHealthWatch;
  /** Whether declared images can run in the nodes. Default: asked of the provider's nodes. */
  images?: ImageProbe;
  /** Where lab files land on nodes (default /root/labs). */
  labFilesRoot?: string;
  /**
   * How the apiserver break-glass panel runs commands on the control plane
   * (crictl, curl, journalctl). Default: through the provider. Tests without
   * a crash-looping apiserver pass a recording.
   */
  breakGlassRunner?: NodeRunner;
  log?: (line: string) => void;
}

export interface LabEngine {
  router: Router;
  catalog: LabCatalog;
  service: LabService;
  runner: CheckRunner;
  progress: ProgressStore;
  scripts: NodeScriptRunner;
  close(): void;
}

/** How long a reset waits for the cluster to work again (kubelet back-off alone can reach 5 min). */
export const HEALTH_SETTLE_MS = 6 * 60_000;

function clusterHealthWatch(view: () => ClusterView | Promise<ClusterView>): ClusterHealthWatch {
  return {
    now: async () => clusterHealth(await view()),
    settle: async (say) => {
      const v = await view();
      return waitForClusterHealth(v, {
        deadlineMs: HEALTH_SETTLE_MS,
        say,
        prepare: () => recreateDnsCanary(v),
        repairStaleDns: () => restartCoreDns(v),
      });
    },
  };
}

export async function createLabEngine(options: LabEngineOptions): Promise<LabEngine> {
  const catalog = await loadCatalog(options.labsDir ?? DEFAULT_LABS_DIR);
  const source = options.view ? undefined : new KubeClusterViewSource(options.provider);
  const runner = new CheckRunner({ view: options.view ?? (() => (source as KubeClusterViewSource).get()) });
  const progress = ProgressStore.inStateDir(options.stateDir);
  const scripts = new NodeScriptRunner({
    provider: options.provider,
    ...(options.labFilesRoot ? { labFilesRoot: options.labFilesRoot } : {}),
  });
  const backups = new LabBackups({ provider: options.provider, dir: path.join(options.stateDir, 'backups') });
  const imagePresence = new ImagePresence({ provider: options.provider });
  // Health of the real cluster; a test's recorded view has no control plane to wait for.
  const health = options.health ?? (source ? clusterHealthWatch(() => source.get()) : undefined);
  const service = new LabService({
    catalog,
    runner,
    progress,
    scripts,
    backups,
    capabilities: options.capabilities ?? probeHostCapabilities,
    images: options.images ?? ((images) => imagePresence.reports(images)),
    ...(health ? { health } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  // Break-glass first: its diagnosis/restore routes live under /labs/:lab too.
  const router = Router();
  router.use(
    createBreakGlassRouter({
      provider: options.provider,
      labs: catalog,
      backups,
      ...(options.breakGlassRunner ? { run: options.breakGlassRunner } : {}),
    }),
  );
  router.use(createLabRouter({ service }));
  return {
    router,
    catalog,
    service,
    runner,
    progress,
    scripts,
    close: () => {
      source?.close();
      progress.close();
    },
  };
}
