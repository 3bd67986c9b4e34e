// The `hardening-lab` command: up (preflight → cluster → serve), serve, down,
// status, and the lab authoring commands. Every failure names its cause and
// the fix, and exits non-zero.
import fs from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { z } from 'zod';
import {
  DEFAULT_CLUSTER_NAME,
  DEFAULT_HOST,
  DEFAULT_KIND_CONFIG,
  DEFAULT_NODE_IMAGE,
  DEFAULT_PORT,
  DEFAULT_TERMINAL_GRACE_MS,
  TOKEN_ENV,
  stateDir,
} from './config.js';
import { KindProvider } from './cluster/kind-provider.js';
import { formatPreflight, runPreflight } from './preflight/preflight.js';
import { formatStartUrl, startServer, type RunningServer } from './http/server.js';
import { openBrowser } from './cli/open-browser.js';
import { resolveToken } from './cli/token-source.js';
import { clearServerRecord, readServerRecord, writeServerRecord } from './cli/server-record.js';
import type { ClusterProvider } from './cluster/provider.js';
import { NoClusterProvider } from './cluster/no-cluster-provider.js';
import { chooseNodeImage, dockerImagePresence } from './cluster/node-image.js';
import { findDocker } from './cluster/kind-tool.js';
import { checkCommand, testLabCommand, validateCommand } from './cli/lab-commands.js';
import { createLabEngine, DEFAULT_LABS_DIR } from './labs/lab-engine.js';
import { formatProblem } from './labs/lab-problem.js';
import { ImagePresence } from './cluster/image-presence.js';
import { loadCatalog } from './labs/lab-catalog.js';
import type { ClusterProgress } from './protocol.js';

const serveOptionsSchema = z.object({
  port: z.number().int().min(0).max(65535),
  host: z.string().min(1),
  token: z.string().optional(),
  tokenFile: z.string().min(1).optional(),
  open: z.boolean(),
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'use lowercase letters, digits and dashes'),
  image: z.string().min(1).optional(),
  kindConfig: z.string().min(1),
  cluster: z.boolean().default(true),
  graceMinutes: z.number().positive(),
  allowHost: z.array(z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, 'a host name or IPv4 address')),
  allowOrigin: z.array(z.string()),
});
type ServeOptions = z.infer<typeof serveOptionsSchema>;

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535.');
  return n;
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number.');
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** --allow-origin takes exactly an origin: http(s)://host:port, nothing after it. */
function collectOrigin(value: string, previous: string[]): string[] {
  const url = URL.parse(value);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== value) {
    throw new InvalidArgumentError('an origin is scheme://host:port with nothing after it, e.g. http://127.0.0.1:5173');
  }
  return [...previous, value];
}

function addServeOptions(cmd: Command): Command {
  return cmd
    .option('--port <port>', 'port to listen on', parsePort, Number(process.env.HARDENING_LAB_PORT ?? DEFAULT_PORT))
    .option('--host <host>', 'address to bind; anything but loopback needs a fixed token', DEFAULT_HOST)
    .option('--token-file <file>', `read a fixed access token from this file (mode 600); or set ${TOKEN_ENV}; random by default`)
    .option('--token <token>', 'fixed access token on the command line (discouraged: other local users can read it in ps)')
    .option('--no-open', 'do not open the browser')
    .option('--name <name>', 'kind cluster name', DEFAULT_CLUSTER_NAME)
    .option('--image <image>', `kind node image (default: ${DEFAULT_NODE_IMAGE}, or the offline image when only that one is present)`, process.env.HARDENING_LAB_NODE_IMAGE)
    .option('--kind-config <file>', 'kind cluster config', DEFAULT_KIND_CONFIG)
    .option('--grace-minutes <minutes>', 'keep a detached terminal this long', parsePositive, DEFAULT_TERMINAL_GRACE_MS / 60_000)
    .option('--allow-host <name>', 'extra Host name to answer to (repeatable)', collect, [] as string[])
    .option(
      '--allow-origin <origin>',
      'also accept pages from this exact origin, e.g. the Vite dev server http://127.0.0.1:5173 (development only; repeatable)',
      collectOrigin,
      [] as string[],
    );
}

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

const consoleIo: Io = { out: (l) => console.log(l), err: (l) => console.error(l) };

/** The token for this server, or undefined after saying why there is none. */
function tokenFor(options: ServeOptions, io: Io): string | undefined {
  const resolved = resolveToken({ host: options.host, token: options.token, tokenFile: options.tokenFile });
  if (!resolved.ok) {
    io.err(`✗ ${resolved.error}`);
    return undefined;
  }
  for (const warning of resolved.warnings) io.err(warning);
  return resolved.token;
}

interface Serving {
  server: RunningServer;
  /** Every image the loaded labs declare, in lab order. */
  labImages: string[];
  /** Stop the server and release the lab engine (database, connections). */
  shutdown(): Promise<void>;
  /** Open the start URL in the browser (through a redirect file; see open-browser.ts). */
  open(): Promise<void>;
}

async function serve(options: ServeOptions, provider: ClusterProvider, token: string, io: Io): Promise<Serving> {
  const engine = await createLabEngine({ stateDir: stateDir(), provider, log: io.out });
  // A broken lab is reported and skipped; the others keep working.
  for (const problem of engine.catalog.problems) io.err(`! ${formatProblem(problem)}`);
  const server = await startServer({
    apiRouters: [engine.router],
    host: options.host,
    port: options.port,
    token,
    provider,
    clusterEnabled: options.cluster,
    allowedHosts: options.allowHost,
    allowedOrigins: options.allowOrigin,
    terminalGraceMs: options.graceMinutes * 60_000,
    log: io.out,
  });
  writeServerRecord({ pid: process.pid, url: server.url, cluster: provider.name, startedAt: new Date().toISOString() });
  io.out(`\nHardening Lab is serving. Open this link (it carries your access token — do not share it):\n\n    ${server.startUrl}\n`);
  for (const origin of options.allowOrigin) {
    io.out(`Development page (--allow-origin): ${formatStartUrl(origin, token)}\n`);
  }
  const redirectFiles: string[] = [];
  const open = async (): Promise<void> => {
    const opened = await openBrowser(server.startUrl, { stateDir: stateDir(), port: server.port });
    redirectFiles.push(opened.file);
    if (opened.opened) io.out('Opened it in your browser.');
  };
  if (options.open) await open();
  const shutdown = async () => {
    clearServerRecord();
    for (const file of redirectFiles) fs.rmSync(file, { force: true });
    await server.close();
    engine.close();
  };
  const stop = async (signal: string) => {
    io.out(`\n${signal}: stopping the server (the cluster keeps running; \`hardening-lab down\` deletes it).`);
    await shutdown();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('Ctrl-C'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  return { server, shutdown, open, labImages: engine.catalog.list().flatMap((lab) => lab.images) };
}

async function preflightOrExit(options: ServeOptions, clusterNeeded: boolean, io: Io): Promise<boolean> {
  io.out('Preflight:');
  const results = await runPreflight({ host: options.host, port: options.port, clusterNeeded });
  io.out(formatPreflight(results));
  if (results.some((r) => r.level === 'error')) {
    io.err('\nCannot start: fix the ✗ items above, then run the command again. Nothing was created.');
    return false;
  }
  return true;
}

async function upCommand(raw: unknown, io: Io): Promise<number> {
  const options = serveOptionsSchema.parse(raw);
  const token = tokenFor(options, io);
  if (!token) return 2;
  if (!(await preflightOrExit(options, true, io))) return 1;
  const choice = await chooseNodeImage(options.image, dockerImagePresence(findDocker() ?? 'docker'));
  io.out(`Node image: ${choice.image} — ${choice.reason}.`);
  const provider = new KindProvider({ name: options.name, image: choice.image, kindConfig: options.kindConfig });
  // Serve first so an open page shows creation progress live.
  const { server, shutdown, open, labImages } = await serve({ ...options, open: false }, provider, token, io);
  const started = Date.now();
  const report = (event: ClusterProgress) => {
    io.out(`  [${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${event.line}`);
    server.publishProgress(event);
  };
  try {
    await provider.ensure({ onProgress: report });
  } catch (error) {
    io.err(`\n✗ ${(error as Error).message}`);
    await shutdown();
    return 1;
  }
  try {
    // Offline nodes cannot pull: put the labs' images in before a learner needs them.
    await new ImagePresence({ provider }).preload(labImages, (line) => report({ stage: 'images', line }));
  } catch (error) {
    // The cluster works; labs whose images are missing say so on the lab list.
    io.err(`! ${(error as Error).message}`);
  }
  // The page keeps its progress log open until an event says done.
  report({ stage: 'ready', line: 'Cluster and lab images ready.', done: true });
  server.publishStatus(await provider.status());
  io.out(`\nReady. Terminals: one per node; \`kubectl get nodes\` works in the control-plane tab.\n    ${server.startUrl}\n`);
  if (options.open) await open();
  return -1; // keep running
}

async function serveCommand(raw: unknown, io: Io): Promise<number> {
  const options = serveOptionsSchema.parse(raw);
  const token = tokenFor(options, io);
  if (!token) return 2;
  if (!(await preflightOrExit(options, false, io))) return 1;
  const provider: ClusterProvider = options.cluster
    ? new KindProvider({ name: options.name, image: options.image ?? DEFAULT_NODE_IMAGE, kindConfig: options.kindConfig })
    : new NoClusterProvider(options.name);
  const status = await provider.status().catch((error: unknown) => ({ state: 'unreachable', message: String(error) }));
  if (status.state !== 'running') io.out(`Note: ${status.message ?? 'the cluster is not running.'} The page works without it.`);
  await serve(options, provider, token, io);
  return -1;
}

async function downCommand(raw: { name: string }, io: Io): Promise<number> {
  const provider = new KindProvider({ name: raw.name, image: DEFAULT_NODE_IMAGE, kindConfig: DEFAULT_KIND_CONFIG });
  try {
    if (!(await provider.exists())) {
      io.out(`No kind cluster "${raw.name}" exists. Nothing to delete.`);
      return 0;
    }
    io.out(`Deleting kind cluster "${raw.name}"…`);
    await provider.delete();
    io.out(`Deleted. (Lab progress in ${stateDir()} is kept.)`);
    return 0;
  } catch (error) {
    io.err(`✗ Could not delete the cluster: ${(error as Error).message}`);
    return 1;
  }
}

async function statusCommand(raw: { name: string; json?: boolean }, io: Io): Promise<number> {
  const provider = new KindProvider({ name: raw.name, image: DEFAULT_NODE_IMAGE, kindConfig: DEFAULT_KIND_CONFIG });
  const cluster = await provider.status().catch((error: unknown) => ({
    name: raw.name,
    state: 'unreachable' as const,
    nodes: [],
    message: (error as Error).message,
  }));
  const server = readServerRecord();
  if (raw.json) {
    io.out(JSON.stringify({ cluster, server: server ?? null }));
  } else {
    io.out(`Cluster "${raw.name}": ${cluster.state}${cluster.message ? ` — ${cluster.message}` : ''}`);
    for (const node of cluster.nodes) io.out(`  ${node.container} (${node.role})${node.ready === undefined ? '' : node.ready ? ' Ready' : ' NotReady'}`);
    io.out(server ? `Server: running at ${server.url} (pid ${server.pid}, since ${server.startedAt})` : 'Server: not running.');
  }
  return cluster.state === 'running' ? 0 : 3;
}

/** `load-images`: what `up` does for images, alone (the cluster tier and scripts use it). */
async function loadImagesCommand(raw: { name: string }, io: Io): Promise<number> {
  const catalog = await loadCatalog(DEFAULT_LABS_DIR);
  for (const problem of catalog.problems) io.err(`! ${formatProblem(problem)}`);
  let provider: KindProvider;
  try {
    provider = await existingCluster(raw.name);
  } catch (error) {
    io.err(`✗ ${(error as Error).message}`);
    return 1;
  }
  try {
    const states = await new ImagePresence({ provider }).preload(
      catalog.list().flatMap((lab) => lab.images),
      io.out,
    );
    // Unavailable images make labs not runnable; that is reported, not a failure of this command.
    return states.every((s) => s.missingOn.length === 0 || s.pullable) ? 0 : 3;
  } catch (error) {
    io.err(`✗ ${(error as Error).message}`);
    return 1;
  }
}

/** The cluster `up` made (or any kind cluster by name), for commands that only use it. */
async function existingCluster(name: string): Promise<KindProvider> {
  const provider = new KindProvider({ name, image: DEFAULT_NODE_IMAGE, kindConfig: DEFAULT_KIND_CONFIG });
  await provider.attach();
  return provider;
}

export async function main(argv: string[], io: Io = consoleIo): Promise<number> {
  let exitCode = 0;
  const program = new Command()
    .name('hardening-lab')
    .description('Interactive Kubernetes hardening labs beside live root shells into a local kind cluster.')
    .showHelpAfterError()
    .exitOverride();

  addServeOptions(program.command('up').description('preflight, create or reuse the kind cluster, then serve the lab page')).action(
    async (opts: unknown) => {
      exitCode = await upCommand(opts, io);
    },
  );
  addServeOptions(program.command('serve').description('serve the lab page against an existing cluster'))
    .addOption(new Option('--no-cluster', 'serve without a cluster (the page says how to start one)'))
    .action(async (opts: unknown) => {
      exitCode = await serveCommand(opts, io);
    });
  program
    .command('down')
    .description('delete the kind cluster and the state it created')
    .option('--name <name>', 'kind cluster name', DEFAULT_CLUSTER_NAME)
    .action(async (opts: { name: string }) => {
      exitCode = await downCommand(opts, io);
    });
  program
    .command('status')
    .description('show the cluster, its nodes and the server')
    .option('--name <name>', 'kind cluster name', DEFAULT_CLUSTER_NAME)
    .option('--json', 'machine-readable output')
    .action(async (opts: { name: string; json?: boolean }) => {
      exitCode = await statusCommand(opts, io);
    });

  program
    .command('load-images')
    .description("put every image the labs declare into the cluster's nodes (what `up` does after creating it)")
    .option('--name <name>', 'kind cluster name', DEFAULT_CLUSTER_NAME)
    .action(async (opts: { name: string }) => {
      exitCode = await loadImagesCommand(opts, io);
    });
  program
    .command('validate')
    .description(
      'validate lab files: schema, referenced files, a check and a solution per step, and a wrong-answer catalogue (answers.yaml)',
    )
    .argument('[dir]', 'a labs directory or one lab directory (default: labs/)')
    .action(async (dir: string | undefined) => {
      exitCode = await validateCommand(dir, io);
    });
  program
    .command('check')
    .description("run a lab's checks against the current cluster and print the findings")
    .argument('<lab>', 'lab id')
    .argument('[step]', 'step id (default: every step)')
    .option('--json', 'machine-readable output')
    .option('--name <name>', 'kind cluster name', DEFAULT_CLUSTER_NAME)
    .action(async (lab: string, step: string | undefined, opts: { json?: boolean; name: string }) => {
      exitCode = await checkCommand(lab, step, { json: opts.json ?? false }, io, { provider: await existingCluster(opts.name) });
    });
  program
    .command('test-lab')
    .description(
      "for each step: the check must fail, the solution runs, the check must pass, then every answer of the step's wrong-answer catalogue is judged",
    )
    .argument('<lab>', 'lab id')
    .option('--name <name>', 'kind cluster name', DEFAULT_CLUSTER_NAME)
    .option('--no-answers', 'skip the wrong-answer catalogues (labs/<lab>/answers.yaml), for quick authoring loops')
    .action(async (lab: string, opts: { name: string; answers: boolean }) => {
      exitCode = await testLabCommand(lab, { answers: opts.answers }, io, { provider: await existingCluster(opts.name) });
    });

  try {
    await program.parseAsync(argv);
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    if (typeof code === 'number') return code;
    io.err(`✗ ${(error as Error).message}`);
    return 1;
  }
  // -1: a long-running server; leave the event loop alive.
  return exitCode === -1 ? 0 : exitCode;
}
