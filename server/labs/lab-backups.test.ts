// LabBackups through the stand-in provider: "node files" are local files.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalShellStandInProvider } from '../cluster/local-shell-stand-in.js';
import type { Command } from '../cluster/provider.js';
import type { LoadedLab } from './lab.js';
import { LabBackups } from './lab-backups.js';

/** A stand-in whose node identity (/etc/machine-id) the test controls: "recreating the cluster". */
class RecreatableStandIn extends LocalShellStandInProvider {
  machineId = 'machine-1';
  override nodeCommand(target: string, argv: string[]): Command {
    if (argv[0] === 'cat' && argv[1] === '/etc/machine-id') return super.nodeCommand(target, ['echo', this.machineId]);
    return super.nodeCommand(target, argv);
  }
}

let tmp: string;
let provider: RecreatableStandIn;
let backups: LabBackups;
let manifest: string;
let created: string;
let lab: LoadedLab;

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'hl-backups-'));
  provider = new RecreatableStandIn({ home: tmp });
  backups = new LabBackups({ provider, dir: path.join(tmp, 'state', 'backups') });
  manifest = path.join(tmp, 'manifests', 'kube-apiserver.yaml');
  created = path.join(tmp, 'policies', 'audit.yaml');
  await fs.mkdir(path.dirname(manifest), { recursive: true });
  await fs.writeFile(manifest, 'original: true\n');
  lab = {
    id: 'backup-lab',
    dir: tmp,
    title: 't',
    summary: 's',
    minutes: 1,
    requires: [],
    images: [],
    intro: '',
    cleanup: 'true',
    runOn: 'control-plane',
    backups: [
      { node: 'control-plane', path: manifest },
      { node: 'control-plane', path: created },
    ],
    steps: [],
  };
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('LabBackups', () => {
  it('restores an edited file and removes one that did not exist at lab start, atomically', async () => {
    expect(await backups.backup(lab)).toEqual([`control-plane:${manifest}`, `control-plane:${created}`]);
    await fs.writeFile(manifest, 'broken: [\n');
    await fs.mkdir(path.dirname(created), { recursive: true });
    await fs.writeFile(created, 'policy\n');
    const restored = await backups.restore(lab);
    expect(restored.ok).toBe(true);
    expect(await fs.readFile(manifest, 'utf8')).toBe('original: true\n');
    await expect(fs.access(created)).rejects.toThrow();
    // Nothing half-written left beside the manifest for kubelet to pick up.
    expect(await fs.readdir(path.dirname(manifest))).toEqual(['kube-apiserver.yaml']);
    expect(restored.log[0]).toMatch(/^restored control-plane:.*kube-apiserver\.yaml/);
  });

  it('never overwrites a good copy with a broken file when the lab is opened again', async () => {
    await backups.backup(lab);
    await fs.writeFile(manifest, 'broken: [\n');
    expect(await backups.backup(lab)).toEqual([]);
    await backups.restore(lab);
    expect(await fs.readFile(manifest, 'utf8')).toBe('original: true\n');
  });

  it('does not restore a copy taken from an earlier cluster, and takes a fresh one', async () => {
    await backups.backup(lab);
    provider.machineId = 'machine-2'; // the cluster was recreated
    await fs.writeFile(manifest, 'new cluster: true\n');
    const refused = await backups.restore(lab);
    expect(refused.ok).toBe(false);
    expect(refused.log[0]).toContain('taken from an earlier cluster');
    expect(await fs.readFile(manifest, 'utf8')).toBe('new cluster: true\n');
    expect(await backups.backup(lab)).toContain(`control-plane:${manifest}`);
    await fs.writeFile(manifest, 'broken\n');
    await backups.restore(lab);
    expect(await fs.readFile(manifest, 'utf8')).toBe('new cluster: true\n');
  });

  it('says so when there is no copy', async () => {
    const result = await backups.restore(lab);
    expect(result.ok).toBe(true);
    expect(result.log[0]).toContain('no backup of');
  });
});
