// HTTP routes of the apiserver break-glass panel. Mounted under /api after
// the auth and CSRF gates (ServerOptions.apiRouters), like the lab engine's
// router. Restoring is delegated: the lab engine owns the backups it copied
// at lab start; without it, the node-side copies a lab's setup made are used.
import path from 'node:path/posix';
import express, { type Router } from 'express';
import { z } from 'zod';
import type { ClusterProvider } from '../cluster/provider.js';
import { HttpError } from '../http/http-error.js';
import type { LoadedLab } from './lab.js';
import { diagnoseApiserver, providerRunner, type NodeRunner } from './apiserver-diagnosis.js';
import type { RestoreResult } from './apiserver-diagnosis-protocol.js';

export interface BreakGlassRouterOptions {
  provider: ClusterProvider;
  /** Lab lookup by id (a LabCatalog fits). */
  labs: { get(id: string): LoadedLab | undefined };
  /** The lab engine's backup store (LabBackups): what it copied from the node at lab start. */
  backups?: EngineBackups;
  /** Overrides how backups are put back; default: `backups`, then the node-side copies. */
  restoreBackups?: (lab: LoadedLab) => Promise<RestoreResult>;
  /** Node command seam (tests). */
  run?: NodeRunner;
  /** Root of the node-side copies for the default restorer (tests point it at a temp dir). */
  nodeCopyRoot?: string;
}

/** The part of LabBackups this router needs. */
export interface EngineBackups {
  restore(lab: LoadedLab): Promise<{ ok: boolean; log: string[] }>;
}

const labParamSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/);

export const NODE_COPY_ROOT = '/var/lib/hardening-lab';

/** Where a lab's setup keeps pristine node-side copies: /var/lib/hardening-lab/<lab>/<file name>. */
export function nodeCopyPath(labId: string, filePath: string, root = NODE_COPY_ROOT): string {
  return path.join(root, labId, path.basename(filePath));
}

// Copy next to the target under a hidden name, then rename: kubelet ignores
// hidden files in the manifests directory and never sees a half-written one.
const RESTORE_SCRIPT = [
  'set -eu',
  'copy=$1; target=$2',
  'if [ ! -f "$copy" ]; then echo "no copy at $copy" >&2; exit 3; fi',
  'tmp="$(dirname "$target")/.$(basename "$target").hl-restore"',
  'cp -p "$copy" "$tmp"',
  'mv -f "$tmp" "$target"',
  'echo "restored $target from $copy"',
].join('\n');

/** Restores every backup of the lab from the node-side copy its setup made. */
export function nodeCopyRestorer(run: NodeRunner, root = NODE_COPY_ROOT): (lab: LoadedLab) => Promise<RestoreResult> {
  return async (lab) => {
    const restored: string[] = [];
    const log: string[] = [];
    let ok = true;
    for (const backup of lab.backups) {
      const copy = nodeCopyPath(lab.id, backup.path, root);
      const result = await run(backup.node, ['sh', '-c', RESTORE_SCRIPT, 'sh', copy, backup.path], 15_000);
      const text = `${result.stdout}${result.stderr}`.trim() || result.failure || '';
      log.push(`${backup.node}:${backup.path}: ${text || `exit code ${result.exitCode}`}`);
      if (result.exitCode === 0) restored.push(`${backup.node}:${backup.path}`);
      else ok = false;
    }
    return { ok, restored, log: log.join('\n') };
  };
}

/**
 * The engine's copies first (taken from the node into the state directory at
 * lab start); when it has none (the lab was started before this server kept
 * backups, or the state directory was wiped), the node-side copies.
 */
export function engineThenNodeCopyRestorer(
  backups: EngineBackups,
  fallback: (lab: LoadedLab) => Promise<RestoreResult>,
): (lab: LoadedLab) => Promise<RestoreResult> {
  return async (lab) => {
    const engine = await backups.restore(lab);
    const restored = engine.log.flatMap((line) => /^restored (\S+)/.exec(line)?.[1] ?? []);
    if (restored.length > 0 || !engine.ok) return { ok: engine.ok, restored, log: engine.log.join('\n') };
    const fromNode = await fallback(lab);
    return { ...fromNode, log: [...engine.log, fromNode.log].join('\n') };
  };
}

export function createBreakGlassRouter(options: BreakGlassRouterOptions): Router {
  const run = options.run ?? providerRunner(options.provider);
  const nodeCopies = nodeCopyRestorer(run, options.nodeCopyRoot);
  const restore =
    options.restoreBackups ?? (options.backups ? engineThenNodeCopyRestorer(options.backups, nodeCopies) : nodeCopies);
  const inFlight = new Map<string, Promise<RestoreResult>>();
  const router = express.Router();

  const findLab = (raw: unknown): LoadedLab | undefined => {
    const id = labParamSchema.safeParse(raw);
    return id.success ? options.labs.get(id.data) : undefined;
  };

  router.get('/labs/:lab/diagnosis', async (req, res) => {
    const lab = findLab(req.params.lab);
    if (!lab) {
      res.status(404).json({ error: 'not-found', message: 'No such lab.' });
      return;
    }
    let diagnosis: Awaited<ReturnType<typeof diagnoseApiserver>>;
    try {
      diagnosis = await diagnoseApiserver(options.provider, {
        run,
        restorable: lab.backups.map((b) => `${b.node}:${b.path}`),
      });
    } catch (error) {
      // The cause (a docker or kubectl failure, with host paths) goes to the
      // server's log through the error handler, not to the page.
      throw new HttpError(
        502,
        'diagnosis-failed',
        'Could not look at the control-plane node; the server’s terminal says why.',
        {
          cause: error,
        },
      );
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json(diagnosis);
  });

  router.post('/labs/:lab/restore-backups', async (req, res) => {
    const lab = findLab(req.params.lab);
    if (!lab) {
      res.status(404).json({ error: 'not-found', message: 'No such lab.' });
      return;
    }
    if (lab.backups.length === 0) {
      res.status(409).json({ error: 'no-backups', message: `The lab ${lab.id} backs up no node files.` });
      return;
    }
    // A double click must not run two restores of the same files at once.
    let pending = inFlight.get(lab.id);
    if (!pending) {
      pending = restore(lab).finally(() => inFlight.delete(lab.id));
      inFlight.set(lab.id, pending);
    }
    let result: RestoreResult;
    try {
      result = await pending;
    } catch (error) {
      throw new HttpError(500, 'restore-failed', 'The restore failed on the server; its terminal says why.', {
        cause: error,
      });
    }
    // 200 either way: the page shows the log, which says what could not be restored.
    res.json(result);
  });

  return router;
}
