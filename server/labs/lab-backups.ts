// Node files a lab edits (static-pod manifests above all) are copied into the
// state directory when the lab starts and written back by "Reset lab". A
// broken kube-apiserver manifest takes the API down, so restoring must not
// need the API: it goes straight to the node through the provider.
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { z } from 'zod';
import type { ClusterProvider, Command } from '../cluster/provider.js';
import type { LoadedLab } from './lab.js';
import type { BackupSpec } from './lab-schema.js';
import { ensurePrivateDir, writePrivateFileAsync } from '../state/private-files.js';

const backupRecordSchema = z.object({
  node: z.string(),
  path: z.string(),
  /** False: the file did not exist at lab start, so restoring removes it. */
  existed: z.boolean(),
  contentBase64: z.string().optional(),
  takenAt: z.string(),
  /**
   * The node's /etc/machine-id when the copy was taken. kind writes a new one
   * for every node container, so a copy from a cluster that has since been
   * recreated (other certificates, other IPs) is recognised and never restored.
   */
  machineId: z.string().optional(),
});
type BackupRecord = z.infer<typeof backupRecordSchema>;

export interface LabBackupsOptions {
  provider: ClusterProvider;
  /** `<stateDir>/backups`. */
  dir: string;
}

async function run(command: Command, timeoutMs = 30_000) {
  return execa(command.file, command.args, {
    ...(command.env ? { env: command.env } : {}),
    ...(command.cwd ? { cwd: command.cwd } : {}),
    reject: false,
    stdin: 'ignore',
    timeout: timeoutMs,
    stripFinalNewline: false,
    encoding: 'buffer',
  });
}

export class LabBackups {
  private readonly provider: ClusterProvider;
  private readonly dir: string;

  constructor(options: LabBackupsOptions) {
    this.provider = options.provider;
    this.dir = options.dir;
  }

  /** Identity of the node container ('' when unknown: then copies are trusted). */
  private async machineId(node: string): Promise<string> {
    try {
      const result = await run(this.provider.nodeCommand(node, ['cat', '/etc/machine-id']), 10_000);
      return result.exitCode === 0 ? Buffer.from(result.stdout).toString('utf8').trim() : '';
    } catch {
      return '';
    }
  }

  private fileFor(labId: string, spec: BackupSpec): string {
    const safe = `${spec.node}${spec.path}`.replace(/[^A-Za-z0-9._-]/g, '_');
    return path.join(this.dir, labId, `${safe}.json`);
  }

  /** Takes the backups that do not exist yet (a second start must not overwrite a good copy with a broken file). */
  async backup(lab: LoadedLab): Promise<string[]> {
    const taken: string[] = [];
    for (const spec of lab.backups) {
      const file = this.fileFor(lab.id, spec);
      const machineId = await this.machineId(spec.node);
      const existing = await readRecord(file);
      if (existing && (!existing.machineId || !machineId || existing.machineId === machineId)) continue;
      const result = await run(this.provider.nodeCommand(spec.node, ['cat', '--', spec.path]));
      const stderr = Buffer.from(result.stderr).toString('utf8');
      let record: BackupRecord;
      if (result.exitCode === 0) {
        record = {
          node: spec.node,
          path: spec.path,
          existed: true,
          contentBase64: Buffer.from(result.stdout).toString('base64'),
          takenAt: new Date().toISOString(),
          ...(machineId ? { machineId } : {}),
        };
      } else if (/No such file or directory/.test(stderr)) {
        record = {
          node: spec.node,
          path: spec.path,
          existed: false,
          takenAt: new Date().toISOString(),
          ...(machineId ? { machineId } : {}),
        };
      } else {
        throw new Error(`Cannot back up ${spec.path} on node ${spec.node}: ${stderr.trim() || result.shortMessage}`);
      }
      ensurePrivateDir(path.dirname(file), this.dir);
      await writePrivateFileAsync(file, JSON.stringify(record));
      taken.push(`${spec.node}:${spec.path}`);
    }
    return taken;
  }

  /** Writes every backed-up file back (or removes it if it did not exist). Returns log lines. */
  async restore(lab: LoadedLab): Promise<{ ok: boolean; log: string[] }> {
    const log: string[] = [];
    let ok = true;
    for (const spec of lab.backups) {
      const file = this.fileFor(lab.id, spec);
      const record = await readRecord(file);
      if (!record) {
        log.push(`no backup of ${spec.node}:${spec.path} (the lab was never started here); left as is`);
        continue;
      }
      const machineId = await this.machineId(spec.node);
      if (record.machineId && machineId && record.machineId !== machineId) {
        ok = false;
        log.push(
          `NOT restoring ${spec.node}:${spec.path}: the copy was taken from an earlier cluster (the node has been recreated since); ` +
            'open the lab again to take a fresh copy',
        );
        await fs.rm(file, { force: true });
        continue;
      }
      // Write beside the target under a dot-name (kubelet ignores dot-files in
      // the manifests directory), then rename: kubelet never sees half a file.
      const argv = record.existed
        ? [
            'sh',
            '-c',
            'set -e; tmp="$(dirname "$1")/.hl-restore.$$"; printf %s "$2" | base64 -d > "$tmp"; mv -f "$tmp" "$1"',
            'sh',
            spec.path,
            record.contentBase64 ?? '',
          ]
        : ['rm', '-f', '--', spec.path];
      const result = await run(this.provider.nodeCommand(spec.node, argv));
      if (result.exitCode === 0) {
        log.push(
          record.existed
            ? `restored ${spec.node}:${spec.path} (backed up ${record.takenAt})`
            : `removed ${spec.node}:${spec.path} (it did not exist at lab start)`,
        );
      } else {
        ok = false;
        log.push(
          `FAILED to restore ${spec.node}:${spec.path}: ${Buffer.from(result.stderr).toString('utf8').trim() || result.shortMessage}`,
        );
      }
    }
    return { ok, log };
  }
}

async function readRecord(file: string): Promise<BackupRecord | undefined> {
  try {
    return backupRecordSchema.parse(JSON.parse(await fs.readFile(file, 'utf8')));
  } catch {
    return undefined;
  }
}
