// Host capabilities a lab can require (lab.yaml `requires`). Some labs cannot
// run on some hosts (AppArmor on macOS or SELinux hosts, Falco's eBPF probe
// without BTF); the page says so up front instead of failing mysteriously.
import fs from 'node:fs/promises';
import { execa } from 'execa';
import { findDocker } from '../cluster/kind-tool.js';
import { DEFAULT_CLUSTER_NAME } from '../config.js';
import type { CapabilityReport } from '../protocol.js';

export type CapabilityProbe = (names: readonly string[]) => Promise<CapabilityReport[]>;

type Known = () => Promise<{ available: boolean; reason?: string }>;

const KNOWN: Record<string, Known> = {
  apparmor: async () => {
    const enabled = await readTrimmed('/sys/module/apparmor/parameters/enabled');
    return enabled === 'Y'
      ? { available: true }
      : {
          available: false,
          reason:
            'AppArmor is not enabled in this host kernel (/sys/module/apparmor/parameters/enabled is not Y). ' +
            'It needs a Linux host with AppArmor, e.g. Ubuntu or Debian; Docker Desktop on macOS and SELinux hosts (Fedora, RHEL) cannot run this lab.',
        };
  },
  btf: async () =>
    (await readTrimmed('/sys/kernel/btf/vmlinux', 1)) !== undefined
      ? { available: true }
      : {
          available: false,
          reason:
            "The host kernel has no BTF (/sys/kernel/btf/vmlinux): Falco's modern eBPF probe needs Linux ≥ 5.8 built with BTF.",
        },
  'falco-images': falcoImagesCapability(),
  seccomp: async () => {
    const status = await readTrimmed('/proc/self/status');
    return status?.includes('Seccomp:')
      ? { available: true }
      : {
          available: false,
          reason: 'The host kernel does not report seccomp support (/proc/self/status has no Seccomp line).',
        };
  },
};

// ---- falco-images ------------------------------------------------------------
// The Falco lab runs falcosecurity/falco (labs/falco/manifests/install). The
// nodes get it either from a registry or because it was preloaded; offline
// hosts (no registry) have only the second way. Both are cheap to look at:
// a `crictl inspecti` in each node, then one request to Docker Hub with a
// short deadline. The answer is cached, so the lab list waits once, briefly.

/** Must match the image in labs/falco/manifests/install (a test there checks it). */
export const FALCO_IMAGE = 'docker.io/falcosecurity/falco:0.41.3';
export const REGISTRY_PROBE_TIMEOUT_MS = 2_500;
const NODE_PROBE_TIMEOUT_MS = 4_000;
const FALCO_IMAGES_TTL_MS = 5 * 60_000;

type DockerRun = (args: string[], timeoutMs: number) => Promise<{ exitCode: number | undefined; stdout: string }>;

export interface FalcoImagesOptions {
  env?: NodeJS.ProcessEnv;
  /** docker CLI; undefined when Docker is not installed. */
  docker?: DockerRun | undefined;
  /** True when Docker Hub answers at all (any HTTP status) within the deadline. */
  registryReachable?: (timeoutMs: number) => Promise<boolean>;
  now?: () => number;
}

function defaultDocker(env: NodeJS.ProcessEnv): DockerRun | undefined {
  const docker = findDocker(env);
  if (!docker) return undefined;
  return async (args, timeoutMs) => {
    const result = await execa(docker, args, { timeout: timeoutMs, reject: false, env });
    return { exitCode: result.exitCode, stdout: String(result.stdout) };
  };
}

async function defaultRegistryReachable(timeoutMs: number): Promise<boolean> {
  try {
    // The v2 endpoint answers 401 without credentials: any answer means reachable.
    await fetch('https://registry-1.docker.io/v2/', { method: 'GET', signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  }
}

export function falcoImagesCapability(options: FalcoImagesOptions = {}): Known {
  let cached: { at: number; result: Promise<{ available: boolean; reason?: string }> } | undefined;
  const now = options.now ?? Date.now;
  return () => {
    if (cached && now() - cached.at < FALCO_IMAGES_TTL_MS) return cached.result;
    cached = { at: now(), result: probeFalcoImages(options) };
    return cached.result;
  };
}

async function probeFalcoImages(options: FalcoImagesOptions): Promise<{ available: boolean; reason?: string }> {
  const env = options.env ?? process.env;
  const docker = 'docker' in options ? options.docker : defaultDocker(env);
  const cluster = env.HARDENING_LAB_CLUSTER || DEFAULT_CLUSTER_NAME;
  const short = FALCO_IMAGE.replace(/^docker\.io\//, '');
  // 1. Preloaded: present in the containerd of every node of the cluster.
  let missingOn: string[] = [];
  if (docker) {
    const ps = await docker(
      ['ps', '--filter', `label=io.x-k8s.kind.cluster=${cluster}`, '--format', '{{.Names}}'],
      NODE_PROBE_TIMEOUT_MS,
    );
    const nodes =
      ps.exitCode === 0
        ? ps.stdout
            .split('\n')
            .map((n) => n.trim())
            .filter(Boolean)
        : [];
    const found = await Promise.all(
      nodes.map(
        async (node) =>
          (await docker(['exec', node, 'crictl', 'inspecti', '-q', FALCO_IMAGE], NODE_PROBE_TIMEOUT_MS)).exitCode === 0,
      ),
    );
    if (nodes.length > 0 && found.every(Boolean)) return { available: true };
    missingOn = nodes.filter((_, i) => !found[i]);
  }
  // 2. Reachable: HARDENING_LAB_OFFLINE (as in scripts/test-cluster.sh) skips the probe.
  const mode = env.HARDENING_LAB_OFFLINE;
  if (mode === '0') return { available: true };
  if (mode !== '1' && (await (options.registryReachable ?? defaultRegistryReachable)(REGISTRY_PROBE_TIMEOUT_MS)))
    return { available: true };
  // 3. Neither: say which way is open on this host.
  const why =
    mode === '1'
      ? 'this host is marked offline (HARDENING_LAB_OFFLINE=1)'
      : `Docker Hub did not answer within ${REGISTRY_PROBE_TIMEOUT_MS / 1000} s`;
  const where =
    missingOn.length > 0
      ? `not preloaded in the nodes (${missingOn.join(', ')})`
      : `not preloaded in the nodes of cluster "${cluster}"`;
  const onHost = docker
    ? (await docker(['image', 'inspect', '--format', '{{.Id}}', short], NODE_PROBE_TIMEOUT_MS)).exitCode === 0
    : false;
  const fix = onHost
    ? `It is in the host's Docker: load it into the nodes with \`kind load docker-image ${short} --name ${cluster}\`.`
    : `Hosts with internet pull it by themselves; offline, bring it into the host's Docker (\`docker load -i falco.tar\`) and run \`kind load docker-image ${short} --name ${cluster}\`.`;
  return { available: false, reason: `Falco's image ${short} is ${where} and ${why}. ${fix}` };
}

async function readTrimmed(file: string, limit?: number): Promise<string | undefined> {
  try {
    if (limit !== undefined) {
      const handle = await fs.open(file, 'r');
      await handle.close();
      return '';
    }
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/** Probes the host this server runs on (kind nodes share its kernel). */
export const probeHostCapabilities: CapabilityProbe = async (names) =>
  Promise.all(
    names.map(async (capability): Promise<CapabilityReport> => {
      const probe = KNOWN[capability];
      if (!probe)
        return {
          capability,
          available: false,
          reason: `Unknown capability "${capability}" (known: ${Object.keys(KNOWN).join(', ')}).`,
        };
      const result = await probe();
      return result.reason === undefined ? { capability, available: result.available } : { capability, ...result };
    }),
  );

export const KNOWN_CAPABILITIES = Object.keys(KNOWN);
