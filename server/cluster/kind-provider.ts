// The product's cluster: a kind cluster driven through the kind and docker
// CLIs (argv arrays, timeouts). Its kubeconfig lives in our state directory;
// the learner's ~/.kube/config is never read or written.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { stripVTControlCharacters } from 'node:util';
import { execa } from 'execa';
import { KubeConfig, CoreV1Api } from '@kubernetes/client-node';
import type { ClusterNode, ClusterStatus } from '../protocol.js';
import { clusterStateDir, PROJECT_ROOT, stateDir } from '../config.js';
import { ensurePrivateDir, writePrivateFile } from '../state/private-files.js';
import type { ClusterProvider, Command, EnsureOptions } from './provider.js';
import { prepareKindConfig } from './kind-config.js';
import { findDocker, findKind } from './kind-tool.js';

/** kind labels every node container with its cluster name and role. */
const CLUSTER_LABEL = 'io.x-k8s.kind.cluster';
const ROLE_LABEL = 'io.x-k8s.kind.role';
const CREATE_TIMEOUT_MS = 10 * 60 * 1000;
const QUICK_TIMEOUT_MS = 15_000;
/** kind load of a few hundred MB into two nodes: seconds normally, minutes on a loaded host. */
const LOAD_TIMEOUT_MS = 10 * 60 * 1000;

export interface KindProviderOptions {
  name: string;
  /** Node image, e.g. kindest/node:v1.34.0 or a locally built offline image. */
  image: string;
  kindConfig: string;
  env?: NodeJS.ProcessEnv;
}

export class KindProvider implements ClusterProvider {
  readonly name: string;
  readonly kind = 'kind';
  private readonly image: string;
  private readonly kindConfig: string;
  private readonly env: NodeJS.ProcessEnv;
  private creating = false;

  constructor(options: KindProviderOptions) {
    if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(options.name)) {
      throw new Error(`Cluster name "${options.name}" is not valid: use lowercase letters, digits and dashes.`);
    }
    this.name = options.name;
    this.image = options.image;
    this.kindConfig = options.kindConfig;
    this.env = options.env ?? process.env;
  }

  private kindBinary(): string {
    const kind = findKind(this.env);
    if (!kind) throw new Error('kind is not installed. Install it with: go install sigs.k8s.io/kind@v0.30.0');
    return kind;
  }

  private dockerBinary(): string {
    return findDocker(this.env) ?? 'docker';
  }

  /** <state>/clusters/<name>, private from the state directory down. */
  private ensureStateDir(): void {
    ensurePrivateDir(clusterStateDir(this.name, this.env), stateDir(this.env));
  }

  kubeconfigPath(): string {
    return path.join(clusterStateDir(this.name, this.env), 'kubeconfig');
  }

  async exists(): Promise<boolean> {
    const { stdout } = await execa(this.kindBinary(), ['get', 'clusters'], {
      timeout: QUICK_TIMEOUT_MS,
      env: this.env,
    });
    return stdout.split('\n').some((line) => line.trim() === this.name);
  }

  async ensure(options: EnsureOptions = {}): Promise<void> {
    const progress = options.onProgress ?? (() => {});
    this.ensureStateDir();
    if (await this.exists()) {
      progress({ stage: 'reuse', line: `Reusing the existing kind cluster "${this.name}".` });
      await this.exportKubeconfig();
      progress({ stage: 'ready', line: 'Cluster ready.', done: true });
      return;
    }
    this.creating = true;
    const started = Date.now();
    const configPath = path.join(clusterStateDir(this.name, this.env), 'kind-config.yaml');
    try {
      for (const change of prepareKindConfig(this.kindConfig, configPath))
        progress({ stage: 'config', line: `kind config: ${change}` });
    } catch (error) {
      this.creating = false;
      throw error;
    }
    progress({
      stage: 'create',
      line: `Creating kind cluster "${this.name}" from ${path.relative(PROJECT_ROOT, this.kindConfig) || this.kindConfig} with ${this.image} (about a minute)…`,
    });
    const child = execa(
      this.kindBinary(),
      [
        'create',
        'cluster',
        '--name',
        this.name,
        '--image',
        this.image,
        '--config',
        configPath,
        '--kubeconfig',
        this.kubeconfigPath(),
        '--wait',
        '180s',
      ],
      {
        cwd: PROJECT_ROOT,
        timeout: CREATE_TIMEOUT_MS,
        env: this.env,
        all: true,
        cancelSignal: options.signal,
        reject: false,
      },
    );
    const lines: string[] = [];
    if (child.all) {
      const rl = readline.createInterface({ input: child.all });
      rl.on('line', (raw) => {
        const line = stripVTControlCharacters(raw).trim();
        if (!line) return;
        lines.push(line);
        progress({ stage: 'create', line });
      });
    }
    const result = await child;
    this.creating = false;
    if (result.exitCode !== 0 || result.failed) {
      progress({
        stage: 'cleanup',
        line: 'Creation failed; deleting the half-created cluster so nothing is left behind.',
      });
      await execa(this.kindBinary(), ['delete', 'cluster', '--name', this.name], {
        timeout: 120_000,
        env: this.env,
        reject: false,
      });
      const tail = lines.slice(-15).join('\n');
      const error = new Error(
        `kind could not create the cluster "${this.name}".\n${tail}\n${explainCreateFailure(tail, this.image)}`,
      );
      progress({ stage: 'failed', line: error.message, error: error.message, done: true });
      throw error;
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    progress({ stage: 'ready', line: `Cluster "${this.name}" created in ${seconds} s.`, done: true });
  }

  /**
   * For commands that use a cluster without creating it (check, test-lab):
   * make sure it exists and our kubeconfig for it is on disk.
   */
  async attach(): Promise<void> {
    if (!(await this.exists())) {
      throw new Error(
        `No kind cluster "${this.name}" exists. Start one with \`npm start\` (or pass --name <cluster>).`,
      );
    }
    if (!fs.existsSync(this.kubeconfigPath())) {
      this.ensureStateDir();
      await this.exportKubeconfig();
    }
  }

  private async exportKubeconfig(): Promise<void> {
    const { stdout } = await execa(this.kindBinary(), ['get', 'kubeconfig', '--name', this.name], {
      timeout: QUICK_TIMEOUT_MS,
      env: this.env,
    });
    // The cluster's admin credentials: 0600, whatever the umask.
    writePrivateFile(this.kubeconfigPath(), stdout + '\n');
  }

  async nodes(): Promise<ClusterNode[]> {
    const { stdout } = await execa(
      this.dockerBinary(),
      ['ps', '--filter', `label=${CLUSTER_LABEL}=${this.name}`, '--format', `{{.Names}}\t{{.Label "${ROLE_LABEL}"}}`],
      { timeout: QUICK_TIMEOUT_MS, env: this.env },
    );
    return stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [container = '', role = ''] = line.split('\t');
        return {
          container,
          target: container.startsWith(`${this.name}-`) ? container.slice(this.name.length + 1) : container,
          role: role === 'control-plane' ? ('control-plane' as const) : ('worker' as const),
        };
      })
      .filter((n) => n.role !== 'control-plane' || !n.target.includes('external-load-balancer'))
      .sort((a, b) => (a.role === b.role ? a.target.localeCompare(b.target) : a.role === 'control-plane' ? -1 : 1));
  }

  async status(): Promise<ClusterStatus> {
    const base = { name: this.name, provider: this.kind };
    if (this.creating) return { ...base, state: 'starting', nodes: [], message: 'The cluster is being created…' };
    let nodes: ClusterNode[];
    try {
      nodes = await this.nodes();
    } catch (error) {
      return {
        ...base,
        state: 'unreachable',
        nodes: [],
        message: `Docker did not answer: ${(error as Error).message}. Start the Docker engine, then run \`npm start\`.`,
      };
    }
    if (nodes.length === 0) {
      return {
        ...base,
        state: 'absent',
        nodes: [],
        message: `No kind cluster "${this.name}" is running. Start it with \`npm start\` (or \`hardening-lab up\`).`,
      };
    }
    try {
      const ready = await this.readyNodes();
      return {
        ...base,
        state: 'running',
        nodes: nodes.map((n) => ({ ...n, ready: ready.get(n.container) ?? false })),
      };
    } catch (error) {
      return {
        ...base,
        state: 'unreachable',
        nodes,
        message: `The node containers run but the API server did not answer (${(error as Error).message}). If you just edited /etc/kubernetes/manifests/kube-apiserver.yaml, it is restarting or crash-looping: in the control-plane tab run \`crictl ps -a --name kube-apiserver\`.`,
      };
    }
  }

  private async readyNodes(): Promise<Map<string, boolean>> {
    if (!fs.existsSync(this.kubeconfigPath())) await this.exportKubeconfig();
    const kc = new KubeConfig();
    kc.loadFromFile(this.kubeconfigPath());
    const api = kc.makeApiClient(CoreV1Api);
    const list = await withTimeout(api.listNode(), 3_000, 'listing nodes');
    const ready = new Map<string, boolean>();
    for (const node of list.items) {
      const cond = node.status?.conditions?.find((c) => c.type === 'Ready');
      ready.set(node.metadata?.name ?? '', cond?.status === 'True');
    }
    return ready;
  }

  private containerFor(target: string): string {
    if (!/^[a-z0-9-]{1,40}$/.test(target)) throw new Error(`Invalid node name "${target}"`);
    return `${this.name}-${target}`;
  }

  nodeShellCommand(target: string, shellTag?: string): Command {
    const container = this.containerFor(target);
    const args = ['exec', '-it', '-e', 'TERM=xterm-256color', '-w', '/root'];
    // kubectl works in the control-plane tab without flags.
    if (target === 'control-plane') args.push('-e', 'KUBECONFIG=/etc/kubernetes/admin.conf');
    if (shellTag === undefined) {
      args.push(container, 'bash', '-l');
    } else {
      // The login shell runs under the tag as its process name, so
      // closeNodeShell can find exactly this shell with pkill.
      args.push(container, 'bash', '-c', 'exec -a "$0" bash -l', assertShellTag(shellTag));
    }
    return { file: this.dockerBinary(), args };
  }

  async closeNodeShell(target: string, shellTag: string): Promise<void> {
    const container = this.containerFor(target);
    await execa(this.dockerBinary(), ['exec', container, 'pkill', '-HUP', '-f', `^${assertShellTag(shellTag)}( |$)`], {
      timeout: QUICK_TIMEOUT_MS,
      env: this.env,
      reject: false,
    });
  }

  nodeCommand(target: string, argv: string[]): Command {
    if (argv.length === 0) throw new Error('nodeCommand needs a program to run');
    const container = this.containerFor(target);
    const env = target === 'control-plane' ? ['-e', 'KUBECONFIG=/etc/kubernetes/admin.conf'] : [];
    return { file: this.dockerBinary(), args: ['exec', ...env, container, ...argv] };
  }

  async loadImages(images: readonly string[], say: (line: string) => void): Promise<void> {
    if (images.length === 0) return;
    const started = Date.now();
    // One kind load for all images: one archive, one import per node.
    const child = execa(this.kindBinary(), ['load', 'docker-image', '--name', this.name, ...images], {
      timeout: LOAD_TIMEOUT_MS,
      env: this.env,
      all: true,
      reject: false,
    });
    const lines: string[] = [];
    if (child.all) {
      readline.createInterface({ input: child.all }).on('line', (raw) => {
        const line = stripVTControlCharacters(raw).trim();
        if (!line) return;
        lines.push(line);
        say(line);
      });
    }
    const result = await child;
    if (result.exitCode !== 0 || result.failed) {
      throw new Error(
        `kind could not load ${images.join(', ')} into the nodes of "${this.name}"${result.timedOut ? ` within ${LOAD_TIMEOUT_MS / 60_000} minutes` : ''}:\n${lines.slice(-10).join('\n')}\nFix: check \`docker images\` lists them and that the disk has room, then run \`hardening-lab up\` again.`,
      );
    }
    say(`Loaded in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
  }

  async delete(): Promise<void> {
    await execa(this.kindBinary(), ['delete', 'cluster', '--name', this.name], { timeout: 180_000, env: this.env });
    fs.rmSync(clusterStateDir(this.name, this.env), { recursive: true, force: true });
  }
}

const SHELL_TAG = /^hardening-lab-term-[A-Za-z0-9_-]{8,64}$/;

/** Tags end up in a pkill pattern: only a fixed prefix and base64url characters. */
function assertShellTag(tag: string): string {
  if (!SHELL_TAG.test(tag)) throw new Error(`Invalid shell tag "${tag}"`);
  return tag;
}

function explainCreateFailure(log: string, image: string): string {
  if (/pull|not found|manifest unknown|i\/o timeout|no such host/i.test(log)) {
    return `Cause: the node image ${image} could not be found or pulled. Fix: check your internet connection, or build the offline image with \`npm run build:node-image\` and pass it with --image.`;
  }
  if (/too many open files|inotify/i.test(log)) {
    return 'Cause: inotify limits are too low. Fix: sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512';
  }
  if (/port is already allocated|address already in use/i.test(log)) {
    return 'Cause: a port kind needs is taken, often by another kind cluster. Fix: `kind get clusters` and delete the one you do not need.';
  }
  return 'Run `hardening-lab down` and try again; if it keeps failing, run `kind create cluster` by hand to see the full log.';
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
