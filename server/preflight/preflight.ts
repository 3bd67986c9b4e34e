// Preflight: everything `up` needs, checked before anything is created. Each
// failed check names the cause and the fix in plain words.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { execa } from 'execa';
import { findDocker, findKind } from '../cluster/kind-tool.js';

export interface PreflightResult {
  name: string;
  /** error: stop; warn: continue but tell; ok: fine. */
  level: 'ok' | 'warn' | 'error';
  detail: string;
  fix?: string;
}

export interface PreflightOptions {
  host: string;
  port: number;
  env?: NodeJS.ProcessEnv;
  /** Skip Docker/kind/memory checks (serve --no-cluster). */
  clusterNeeded: boolean;
}

const MIN_MEMORY_MB = 2048;
const GOOD_MEMORY_MB = 4096;

export async function checkDocker(env: NodeJS.ProcessEnv): Promise<PreflightResult> {
  const docker = findDocker(env);
  if (!docker) {
    return {
      name: 'Docker',
      level: 'error',
      detail: 'The docker command is not installed.',
      fix: 'Install Docker: on Debian/Ubuntu `sudo apt-get install -y docker.io`; on macOS/Windows install Docker Desktop. Then start it and run `npm start` again.',
    };
  }
  const result = await execa(docker, ['version', '--format', '{{.Server.Version}}'], { timeout: 15_000, reject: false, env });
  if (result.exitCode === 0 && result.stdout.trim()) {
    return { name: 'Docker', level: 'ok', detail: `Docker engine ${result.stdout.trim()} is running.` };
  }
  const why = `${result.stderr}`.trim().split('\n').pop() ?? '';
  if (/permission denied/i.test(why)) {
    return {
      name: 'Docker',
      level: 'error',
      detail: `Docker is installed but this user may not talk to the engine (${why}).`,
      fix: 'Add yourself to the docker group (`sudo usermod -aG docker $USER`, then log out and in), or run as root.',
    };
  }
  return {
    name: 'Docker',
    level: 'error',
    detail: `The Docker engine is not running or not reachable${why ? ` (${why})` : ''}.`,
    fix: 'Start it: `sudo systemctl start docker` (Linux with systemd), `sudo dockerd &` (without systemd), or open Docker Desktop. Then run `npm start` again.',
  };
}

export async function checkKind(env: NodeJS.ProcessEnv): Promise<PreflightResult> {
  const kind = findKind(env);
  const install = 'Install kind v0.30.0: `go install sigs.k8s.io/kind@v0.30.0` (needs Go), or see https://kind.sigs.k8s.io/docs/user/quick-start/#installation.';
  if (!kind) return { name: 'kind', level: 'error', detail: 'kind is not installed.', fix: install };
  const result = await execa(kind, ['version'], { timeout: 10_000, reject: false, env });
  const match = /v(\d+)\.(\d+)\.(\d+)/.exec(result.stdout);
  if (result.exitCode !== 0 || !match) {
    return { name: 'kind', level: 'error', detail: `${kind} did not report a version.`, fix: install };
  }
  const [, major, minor] = match.map(Number) as [number, number, number, number];
  if (major === 0 && minor < 30) {
    return { name: 'kind', level: 'warn', detail: `kind ${match[0]} is older than the tested v0.30.0; Kubernetes 1.34 node images may not work.`, fix: install };
  }
  return { name: 'kind', level: 'ok', detail: `kind ${match[0]} (${kind}).` };
}

/** MemAvailable on Linux (what can be used without swapping); os.freemem elsewhere. */
export function availableMemoryMb(): number {
  try {
    const meminfo = fs.readFileSync('/proc/meminfo', 'utf8');
    const m = /MemAvailable:\s+(\d+) kB/.exec(meminfo);
    if (m?.[1]) return Math.round(Number(m[1]) / 1024);
  } catch {
    // not Linux
  }
  return Math.round(os.freemem() / 1024 / 1024);
}

export function checkMemory(availableMb = availableMemoryMb()): PreflightResult {
  if (availableMb < MIN_MEMORY_MB) {
    return {
      name: 'Memory',
      level: 'error',
      detail: `Only ${availableMb} MB of memory is available; a two-node cluster needs about ${MIN_MEMORY_MB} MB.`,
      fix: 'Close other programs (or give Docker Desktop more memory in its settings), then try again.',
    };
  }
  if (availableMb < GOOD_MEMORY_MB) {
    return { name: 'Memory', level: 'warn', detail: `${availableMb} MB available; labs run more smoothly with ${GOOD_MEMORY_MB} MB or more.` };
  }
  return { name: 'Memory', level: 'ok', detail: `${availableMb} MB available.` };
}

export function checkInotify(readLimit: (name: string) => number | undefined = readProcLimit): PreflightResult {
  if (process.platform !== 'linux') return { name: 'inotify limits', level: 'ok', detail: 'Not Linux: not needed.' };
  const watches = readLimit('max_user_watches');
  const instances = readLimit('max_user_instances');
  if (watches === undefined || instances === undefined) return { name: 'inotify limits', level: 'ok', detail: 'Could not read the limits; assuming they are fine.' };
  if (watches < 524288 || instances < 512) {
    // kind nodes run systemd and kubelet, which exhaust low limits with
    // "too many open files"; Falco needs them too.
    return {
      name: 'inotify limits',
      level: instances < 128 ? 'error' : 'warn',
      detail: `fs.inotify.max_user_watches=${watches}, max_user_instances=${instances}; kind needs 524288 and 512.`,
      fix: 'sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512 (add them to /etc/sysctl.d/99-kind.conf to keep them).',
    };
  }
  return { name: 'inotify limits', level: 'ok', detail: `watches ${watches}, instances ${instances}.` };
}

function readProcLimit(name: string): number | undefined {
  try {
    return Number(fs.readFileSync(`/proc/sys/fs/inotify/${name}`, 'utf8').trim());
  } catch {
    return undefined;
  }
}

export async function checkPort(host: string, port: number): Promise<PreflightResult> {
  const free = await new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
  if (free) return { name: 'Port', level: 'ok', detail: `${host}:${port} is free.` };
  return {
    name: 'Port',
    level: 'error',
    detail: `${host}:${port} is already in use (another Hardening Lab, or another program).`,
    fix: `Pick another port with --port (e.g. --port ${port + 1}), or stop the program using it (\`ss -ltnp | grep :${port}\`).`,
  };
}

export async function runPreflight(options: PreflightOptions): Promise<PreflightResult[]> {
  const env = options.env ?? process.env;
  const checks: Promise<PreflightResult>[] = [checkPort(options.host, options.port)];
  if (options.clusterNeeded) {
    checks.unshift(checkDocker(env), checkKind(env), Promise.resolve(checkMemory()), Promise.resolve(checkInotify()));
  }
  return Promise.all(checks);
}

export function formatPreflight(results: PreflightResult[]): string {
  const mark = { ok: '✓', warn: '!', error: '✗' } as const;
  return results
    .map((r) => `  ${mark[r.level]} ${r.name}: ${r.detail}${r.fix && r.level !== 'ok' ? `\n      Fix: ${r.fix}` : ''}`)
    .join('\n');
}
