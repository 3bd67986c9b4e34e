// Runs a lab's bash scripts (setup, cleanup, solutions) on a node, the way a
// learner would paste them into that node's terminal, and copies the lab's
// manifests/ onto the nodes. Everything goes through provider.nodeCommand with
// argv arrays: the script text is one argument to `bash -c` inside the node,
// never interpreted by a shell on the host.
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { ClusterProvider } from '../cluster/provider.js';
import type { LoadedLab } from './lab.js';

export const DEFAULT_LAB_FILES_ROOT = '/root/labs';
export const SCRIPT_TIMEOUT_MS = { setup: 180_000, cleanup: 180_000, solution: 300_000 } as const;

export interface ScriptRun {
  ok: boolean;
  exitCode: number | null;
  /** stdout and stderr interleaved, for the page and the CLI. */
  log: string;
  durationMs: number;
  timedOut: boolean;
}

export interface NodeScriptRunnerOptions {
  provider: ClusterProvider;
  /** Where lab files go on nodes: `<root>/<lab id>/manifests/...`. */
  labFilesRoot?: string;
}

/** Single-quote for bash. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export class NodeScriptRunner {
  private readonly provider: ClusterProvider;
  private readonly labFilesRoot: string;

  constructor(options: NodeScriptRunnerOptions) {
    this.provider = options.provider;
    this.labFilesRoot = options.labFilesRoot ?? DEFAULT_LAB_FILES_ROOT;
  }

  labFilesDir(lab: LoadedLab): string {
    return path.posix.join(this.labFilesRoot, lab.id);
  }

  /**
   * The lab variables as a script header. Solutions are shown to the learner
   * and may be run in their terminal, where the runner's prelude is absent:
   * the solution they see starts with this, so it works there too.
   */
  exportsHeader(lab: LoadedLab, name: string): string {
    return [
      '# Lab variables (hardening-lab sets them when it runs this script):',
      `export HL_LAB=${shellQuote(lab.id)} HL_STEP=${shellQuote(name)} HL_LAB_FILES=${shellQuote(this.labFilesDir(lab))}`,
      '',
    ].join('\n');
  }

  /** The text actually run: the documented prelude, then the script. */
  prelude(lab: LoadedLab, name: string): string {
    return [
      'set -euo pipefail',
      `export HL_LAB=${shellQuote(lab.id)} HL_STEP=${shellQuote(name)} HL_LAB_FILES=${shellQuote(this.labFilesDir(lab))}`,
      'if [ -z "${KUBECONFIG:-}" ] && [ -r /etc/kubernetes/admin.conf ]; then export KUBECONFIG=/etc/kubernetes/admin.conf; fi',
      'if [ -d "$HL_LAB_FILES" ]; then cd "$HL_LAB_FILES"; fi',
      '',
    ].join('\n');
  }

  async run(
    lab: LoadedLab,
    options: { node: string; name: string; script: string; timeoutMs: number },
  ): Promise<ScriptRun> {
    const started = performance.now();
    let command;
    try {
      command = this.provider.nodeCommand(options.node, [
        'bash',
        '-c',
        this.prelude(lab, options.name) + options.script,
        `hl-${options.name}`,
      ]);
    } catch (error) {
      // No such node (or no cluster): a failed run with the reason, not an exception.
      return {
        ok: false,
        exitCode: null,
        log: error instanceof Error ? error.message : String(error),
        durationMs: 0,
        timedOut: false,
      };
    }
    const result = await execa(command.file, command.args, {
      ...(command.env ? { env: command.env } : {}),
      ...(command.cwd ? { cwd: command.cwd } : {}),
      reject: false,
      all: true,
      stdin: 'ignore',
      timeout: options.timeoutMs,
    });
    const log = String(result.all ?? '');
    return {
      ok: result.exitCode === 0,
      exitCode: result.exitCode ?? null,
      log: result.timedOut
        ? `${log}\n(stopped: no result after ${options.timeoutMs / 1000} s)`
        : result.exitCode === undefined
          ? `${log}\n${result.shortMessage}`
          : log,
      durationMs: Math.round(performance.now() - started),
      timedOut: Boolean(result.timedOut),
    };
  }

  /** Copies manifests/ (if any) to `$HL_LAB_FILES/manifests` on every node. */
  async copyLabFiles(lab: LoadedLab): Promise<void> {
    const files = await listFiles(path.join(lab.dir, 'manifests'));
    if (files.length === 0) return;
    const args: string[] = [];
    for (const file of files) {
      const content = await fs.readFile(file, 'utf8');
      if (Buffer.byteLength(content) > 100_000) throw new Error(`${file} is too large to copy to nodes (100 kB max)`);
      args.push(
        path.posix.join(
          this.labFilesDir(lab),
          'manifests',
          path.relative(path.join(lab.dir, 'manifests'), file).split(path.sep).join('/'),
        ),
        content,
      );
    }
    const writer =
      'while [ $# -gt 1 ]; do mkdir -p "$(dirname "$1")" && printf %s "$2" > "$1" || exit 1; shift 2; done';
    for (const node of await this.provider.nodes()) {
      const command = this.provider.nodeCommand(node.target, ['sh', '-c', writer, 'sh', ...args]);
      const result = await execa(command.file, command.args, {
        ...(command.env ? { env: command.env } : {}),
        ...(command.cwd ? { cwd: command.cwd } : {}),
        reject: false,
        stdin: 'ignore',
        timeout: 30_000,
      });
      if (result.exitCode !== 0)
        throw new Error(
          `Copying ${lab.id} files to node ${node.target} failed: ${String(result.stderr) || result.shortMessage}`,
        );
    }
  }
}

async function listFiles(dir: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out.sort();
}
