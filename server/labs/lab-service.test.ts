import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckRunner } from '../checks/check-runner.js';
import { RecordedClusterView } from '../checks/recorded-cluster-view.js';
import { LocalShellStandInProvider } from '../cluster/local-shell-stand-in.js';
import { ProgressStore } from '../progress/progress-store.js';
import { LabBackups } from './lab-backups.js';
import { LabCatalog } from './lab-catalog.js';
import { LabError } from './lab-error.js';
import { loadLab } from './lab-loader.js';
import { LabService } from './lab-service.js';
import { NodeScriptRunner } from './node-scripts.js';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'labs', 'fixture-files');
const REASON = 'AppArmor is not enabled in this host kernel.';

let tmp: string;
let service: LabService;
let progress: ProgressStore;

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'hl-service-'));
  const loaded = await loadLab(FIXTURE);
  if (!loaded.ok) throw new Error('fixture lab does not load');
  const provider = new LocalShellStandInProvider({ home: tmp });
  progress = ProgressStore.inStateDir(tmp);
  service = new LabService({
    catalog: new LabCatalog([{ ...loaded.lab, requires: ['apparmor'] }]),
    runner: new CheckRunner({ view: () => new RecordedClusterView({}) }),
    progress,
    scripts: new NodeScriptRunner({ provider, labFilesRoot: path.join(tmp, 'files') }),
    backups: new LabBackups({ provider, dir: path.join(tmp, 'backups') }),
    capabilities: async (names) => names.map((capability) => ({ capability, available: false, reason: REASON })),
    log: () => undefined,
  });
});
afterEach(async () => {
  progress.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('LabService on a host that lacks a capability', () => {
  it('says so up front, does not start the lab, and refuses checks with the reason', async () => {
    const detail = await service.open('fixture-files');
    expect(detail.runnable).toBe(false);
    expect(detail.capabilities).toEqual([{ capability: 'apparmor', available: false, reason: REASON }]);
    expect(progress.labProgress('fixture-files').startedAt).toBeUndefined();
    const error = await service.check('fixture-files', 'write-marker').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabError);
    expect(error).toMatchObject({ code: 'not-runnable', status: 409 });
    expect((error as Error).message).toContain(REASON);
    expect((await service.summaries())[0]).toMatchObject({ runnable: false, stepsPassed: 0 });
  });
});

describe('LabService reset and the cluster health wait', () => {
  async function serviceWith(backupPath: string, healthy: boolean) {
    const loaded = await loadLab(FIXTURE);
    if (!loaded.ok) throw new Error('fixture lab does not load');
    const provider = new LocalShellStandInProvider({ home: tmp });
    const settled: string[] = [];
    const items = [
      { component: 'API server', ok: true, found: 'answers' },
      { component: 'cluster DNS', ok: healthy, found: healthy ? 'answers' : 'NXDOMAIN' },
    ];
    const lab = { ...loaded.lab, backups: [{ node: 'control-plane', path: backupPath }] };
    const withHealth = new LabService({
      catalog: new LabCatalog([lab]),
      runner: new CheckRunner({ view: () => new RecordedClusterView({}) }),
      progress,
      scripts: new NodeScriptRunner({ provider, labFilesRoot: path.join(tmp, 'files') }),
      backups: new LabBackups({ provider, dir: path.join(tmp, 'backups') }),
      capabilities: async () => [],
      health: {
        now: async () => items,
        settle: async (say) => {
          settled.push(lab.id);
          say('[3 s] waiting for cluster DNS (NXDOMAIN)');
          return items;
        },
      },
      log: () => undefined,
    });
    return { withHealth, settled };
  }

  it('waits for the cluster after a lab that restores a static-pod manifest, and says what for', async () => {
    const { withHealth, settled } = await serviceWith('/etc/kubernetes/manifests/kube-apiserver.yaml', false);
    const result = await withHealth.reset('fixture-files');
    expect(settled).toEqual(['fixture-files']);
    expect(result.log).toContain('waiting for cluster DNS (NXDOMAIN)');
    expect(result.health?.find((h) => !h.ok)).toEqual({ component: 'cluster DNS', ok: false, found: 'NXDOMAIN' });
    expect(await withHealth.clusterHealth()).toHaveLength(2);
  });

  it('reports every component working when the cluster works again', async () => {
    const { withHealth } = await serviceWith('/etc/kubernetes/manifests/kube-apiserver.yaml', true);
    const result = await withHealth.reset('fixture-files');
    // (ok stays false here for another reason: the stand-in node has no backup to restore.)
    expect(result.health?.every((h) => h.ok)).toBe(true);
  });

  it('does not wait after a lab that restarts nothing', async () => {
    const { withHealth, settled } = await serviceWith(path.join(tmp, 'some-file.conf'), false);
    const result = await withHealth.reset('fixture-files');
    expect(settled).toEqual([]);
    expect(result.health).toBeUndefined();
  });
});
