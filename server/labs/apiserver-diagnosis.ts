// Break-glass for labs that edit the kube-apiserver static pod: when the
// apiserver does not come back, nothing that talks to the Kubernetes API can
// say why. The node can: crictl still lists the crash-looping containers and
// keeps their logs, and kubelet's journal says when it could not even create
// the pod. Everything here runs on the control-plane node through the
// provider's nodeCommand (docker exec for kind), never through the API.
import { execa } from 'execa';
import { z } from 'zod';
import type { ClusterProvider } from '../cluster/provider.js';
import type { ExecResult } from '../checks/cluster-view.js';
import type {
  ApiserverContainer,
  ApiserverContainerState,
  ApiserverDiagnosis,
} from './apiserver-diagnosis-protocol.js';

export const CONTROL_PLANE = 'control-plane';
const LOG_TAIL_LINES = 30;

/** Runs argv on a node; the seam the unit tests replace. */
export type NodeRunner = (node: string, argv: string[], timeoutMs: number) => Promise<ExecResult>;

export function providerRunner(provider: ClusterProvider): NodeRunner {
  return async (node, argv, timeoutMs) => {
    const command = provider.nodeCommand(node, argv);
    const result = await execa(command.file, command.args, {
      ...(command.env ? { env: command.env } : {}),
      ...(command.cwd ? { cwd: command.cwd } : {}),
      reject: false,
      stdin: 'ignore',
      timeout: timeoutMs,
      stripFinalNewline: false,
    });
    if (result.timedOut)
      return {
        exitCode: null,
        stdout: String(result.stdout ?? ''),
        stderr: String(result.stderr ?? ''),
        failure: `timed out after ${timeoutMs} ms`,
      };
    if (result.exitCode === undefined)
      return { exitCode: null, stdout: '', stderr: String(result.stderr ?? ''), failure: result.shortMessage };
    return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
  };
}

export const READYZ_ARGV = ['curl', '-sk', '--max-time', '3', 'https://127.0.0.1:6443/readyz'];
export const CRICTL_PS_ARGV = ['crictl', 'ps', '-a', '--name', 'kube-apiserver'];
export const CRICTL_PS_JSON_ARGV = [...CRICTL_PS_ARGV, '-o', 'json'];
export const crictlLogsArgv = (id: string): string[] => ['crictl', 'logs', '--tail', String(LOG_TAIL_LINES), id];
export const KUBELET_JOURNAL_ARGV = ['journalctl', '-u', 'kubelet', '--no-pager', '-o', 'cat', '-n', '400'];

const crictlJsonSchema = z.object({
  containers: z
    .array(
      z.looseObject({
        id: z.string(),
        state: z.string(),
        createdAt: z.union([z.string(), z.number()]).optional(),
        metadata: z.looseObject({ name: z.string().optional(), attempt: z.number().optional() }).optional(),
      }),
    )
    .nullish(),
});

/** `crictl ps -o json` → containers, newest first. */
export function parseCrictlJson(text: string): ApiserverContainer[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [];
  }
  const parsed = crictlJsonSchema.safeParse(json);
  if (!parsed.success) return [];
  return (parsed.data.containers ?? [])
    .map((c) => ({
      id: c.id,
      state: containerState(c.state),
      attempt: c.metadata?.attempt ?? 0,
      // crictl prints nanoseconds as a decimal string: too big for a double's precision, fine for ordering in ms.
      createdAt: c.createdAt === undefined ? 0 : Math.floor(Number(c.createdAt) / 1e6),
    }))
    .sort((a, b) => b.createdAt - a.createdAt || b.attempt - a.attempt);
}

function containerState(state: string): ApiserverContainerState {
  switch (state) {
    case 'CONTAINER_RUNNING':
      return 'running';
    case 'CONTAINER_EXITED':
      return 'exited';
    case 'CONTAINER_CREATED':
      return 'created';
    default:
      return 'unknown';
  }
}

interface Clue {
  pattern: RegExp;
  hint: (m: RegExpExecArray) => string;
}

// Ordered: the first clue found in the log (searched from the newest line) wins.
const LOG_CLUES: Clue[] = [
  {
    pattern: /unknown flag: (--[\w-]+)/,
    hint: (m) =>
      `kube-apiserver does not know the flag ${m[1]}: check its spelling in the manifest (--audit-policy-file, --audit-log-path, --audit-log-maxage, ...).`,
  },
  {
    pattern: /no kind \\?"Policy\\?" is registered for version \\?"audit\.k8s\.io\/(v1alpha1|v1beta1)/,
    hint: () =>
      'The audit policy uses an API version that no longer exists (removed in Kubernetes 1.24). Change its first line to apiVersion: audit.k8s.io/v1.',
  },
  {
    pattern: /unknown group version field [^\n]*in policy/,
    hint: () =>
      'The audit policy file lacks a valid apiVersion/kind: it must start with apiVersion: audit.k8s.io/v1 and kind: Policy.',
  },
  {
    pattern: /loaded illegal policy with 0 rules/,
    hint: () => 'The audit policy has no rules; kube-apiserver refuses it. Add at least one rule under rules:.',
  },
  {
    pattern: /Unsupported value: \\?"([^"\\]*)\\?": supported values/,
    hint: (m) =>
      `A rule in the audit policy has level "${m[1]}". Levels are spelled None, Metadata, Request or RequestResponse.`,
  },
  {
    pattern: /rules\[\d+\]\.(level): Required value/,
    hint: () =>
      'A rule in the audit policy has no level: every rule needs one (None, Metadata, Request, RequestResponse).',
  },
  {
    pattern: /(failed decoding|failed lenient decoding|error converting YAML to JSON|yaml: line \d+)[^\n]*/,
    hint: (m) =>
      `The audit policy is not valid YAML (${m[0].trim()}): check the indentation (spaces only) around the line it names.`,
  },
  {
    pattern: /failed to read file path \\?"([^"\\]+)\\?"|open ([^\s:"\\]+): no such file or directory/,
    hint: (m) =>
      `kube-apiserver cannot open ${m[1] ?? m[2]} inside its container. Either no volumeMount covers that path (every node file it reads needs a hostPath volume plus a volumeMount), ` +
      'or the hostPath points at a node path where the file does not exist. Compare the flag, the volumeMount mountPath and the volume hostPath.',
  },
  {
    pattern: /open ([^\s:]+): read-only file system|read-only file system/,
    hint: (m) =>
      `kube-apiserver cannot write ${m[1] ?? 'the audit log'}: the log directory is mounted readOnly or not mounted from the node. Mount it with a hostPath volume (type DirectoryOrCreate) and no readOnly.`,
  },
  {
    pattern: /open ([^\s:]+): is a directory/,
    hint: (m) => `${m[1]} is a directory: --audit-log-path and --audit-policy-file name files, not directories.`,
  },
  {
    pattern: /open ([^\s:]+): permission denied/,
    hint: (m) => `kube-apiserver may not open ${m[1]}: check the file's permissions on the node.`,
  },
  {
    pattern: /bind: address already in use/,
    hint: () =>
      'Another kube-apiserver still holds port 6443: kubelet is replacing it. Wait 30 s; if it persists, look for a second apiserver manifest in /etc/kubernetes/manifests.',
  },
  {
    pattern: /127\.0\.0\.1:2379[^\n]*(connection refused|deadline exceeded)/,
    hint: () =>
      'kube-apiserver cannot reach etcd: check `crictl ps -a --name etcd`; editing the apiserver manifest does not touch etcd, so etcd may just be restarting.',
  },
];

// kubelet's own complaints when it cannot even create the apiserver pod
// (messages as kubelet 1.34 writes them; quotes arrive escaped).
const KUBELET_CLUES: Clue[] = [
  {
    pattern: /hostPath type check failed: ([^\s,"\\]+) is not a (file|directory)/,
    hint: (m) =>
      `kubelet refuses to start the pod: ${m[1]} is not a ${m[2]} on the node (hostPath type ${m[2] === 'file' ? 'File' : 'Directory'}). Create it there, or fix the hostPath path.`,
  },
  {
    pattern: /couldn't parse as pod\((.*?)\), please check config file/,
    hint: (m) =>
      `kubelet cannot read the manifest (${m[1]}): a YAML mistake, usually the indentation of a line you added.`,
  },
  {
    pattern: /volumeMounts\[\d+\]\.name: Not found: \\?"([^"\\]+)/,
    hint: (m) =>
      `kubelet rejects the manifest: the volumeMount "${m[1]}" names a volume that spec.volumes does not define. Add the volume (or fix the name so both match).`,
  },
  {
    pattern: /invalid pod: \[([^\]]*)\]/,
    hint: (m) => `kubelet rejects the manifest: ${(m[1] ?? '').replaceAll('\\"', '"')}.`,
  },
];

/** The apiserver's log is one run: the first clue in priority order wins. */
function findClue(text: string, clues: Clue[]): string | undefined {
  const lines = text.split('\n').reverse();
  for (const clue of clues) {
    for (const line of lines) {
      const m = clue.pattern.exec(line);
      if (m) return clue.hint(m);
    }
  }
  return undefined;
}

/** kubelet's journal spans several attempts: the newest line with a clue wins. */
function findNewestClue(text: string, clues: Clue[]): string | undefined {
  for (const line of text.split('\n').reverse()) {
    for (const clue of clues) {
      const m = clue.pattern.exec(line);
      if (m) return clue.hint(m);
    }
  }
  return undefined;
}

export interface DiagnosisFacts {
  healthy: boolean;
  containers: ApiserverContainer[];
  logTail: string;
  kubeletTail?: string;
}

/** The likely cause in plain words, from what the node showed. */
export function explainFacts(facts: DiagnosisFacts): string | undefined {
  if (facts.healthy) return 'kube-apiserver is running and answers /readyz: nothing to repair.';
  const fromLog = findClue(facts.logTail, LOG_CLUES);
  if (fromLog) return fromLog;
  const newest = facts.containers[0];
  if (!newest) {
    const fromKubelet = facts.kubeletTail ? findNewestClue(facts.kubeletTail, KUBELET_CLUES) : undefined;
    return (
      fromKubelet ??
      'kubelet has not started any kube-apiserver container. Either it has not noticed the change yet (wait 20 s), or it cannot create the pod: ' +
        'a YAML mistake in the manifest, a volumeMount without a volume, or a hostPath of type File/Directory that does not exist on the node. `journalctl -u kubelet | tail` on the node says which.'
    );
  }
  if (newest.state === 'created') {
    return 'kubelet is starting another kube-apiserver attempt. If the attempt count keeps growing, it is crash-looping: look again in a few seconds for its log.';
  }
  if (newest.state === 'running') {
    return 'kube-apiserver is running but not ready yet: it needs 20-60 s after a start. Check again shortly; if the attempt count keeps growing, it is crash-looping and its log will say why.';
  }
  return facts.logTail.trim()
    ? 'kube-apiserver exits right after starting; the last lines of its log (above) say why.'
    : 'kube-apiserver exits right after starting and left no log lines.';
}

// While the apiserver is down kubelet also complains, every few seconds, that
// it cannot reach it (mirror pods, node status, events): true, and no clue.
const KUBELET_NOISE =
  /mirror pod|node status|Unable to write event|Failed to get status for pod|connect: connection refused/i;

/** Only kubelet's errors about the apiserver pod or its manifest. */
export function filterKubeletJournal(text: string, maxLines = 12): string {
  return text
    .split('\n')
    .filter(
      (l) =>
        /kube-apiserver|manifest/i.test(l) &&
        /error|fail|invalid|could not|not found|refus|unable/i.test(l) &&
        !KUBELET_NOISE.test(l),
    )
    .slice(-maxLines)
    .join('\n');
}

export interface DiagnoseOptions {
  node?: string;
  run?: NodeRunner;
  now?: () => Date;
  /** Files a Restore would put back, shown beside the button. */
  restorable?: string[];
}

export async function diagnoseApiserver(
  provider: ClusterProvider,
  options: DiagnoseOptions = {},
): Promise<ApiserverDiagnosis> {
  const node = options.node ?? CONTROL_PLANE;
  const run = options.run ?? providerRunner(provider);
  const [readyz, ps, psJson] = await Promise.all([
    // Generous deadlines: this runs exactly when the node is busy restarting things.
    run(node, READYZ_ARGV, 10_000),
    run(node, CRICTL_PS_ARGV, 10_000),
    run(node, CRICTL_PS_JSON_ARGV, 10_000),
  ]);
  const healthy = readyz.exitCode === 0 && readyz.stdout.trim() === 'ok';
  const containers = psJson.exitCode === 0 ? parseCrictlJson(psJson.stdout) : [];
  // The log to show: a running (starting) container's own, else the newest
  // exited one. Right after a crash kubelet has often already created the
  // next attempt, which has no log yet.
  const logFrom =
    containers[0]?.state === 'running'
      ? containers[0]
      : (containers.find((c) => c.state === 'exited') ?? containers[0]);

  let logTail = '';
  let kubeletTail: string | undefined;
  if (!healthy && logFrom) {
    const logs = await run(node, crictlLogsArgv(logFrom.id), 10_000);
    // The apiserver logs to stderr (klog); crictl replays it there.
    logTail =
      [logs.stdout, logs.stderr]
        .filter((s) => s.trim())
        .join('\n')
        .trimEnd() ||
      (logs.failure ?? '');
  } else if (!healthy) {
    const journal = await run(node, KUBELET_JOURNAL_ARGV, 10_000);
    kubeletTail =
      journal.exitCode === 0 ? filterKubeletJournal(journal.stdout) : (journal.failure ?? journal.stderr.trim());
  }
  const facts: DiagnosisFacts = { healthy, containers, logTail, ...(kubeletTail !== undefined ? { kubeletTail } : {}) };
  const hint = explainFacts(facts);
  return {
    healthy,
    readyz: describeReadyz(readyz),
    crictlPs: ps.exitCode === 0 ? ps.stdout.trimEnd() : `crictl failed: ${ps.failure ?? ps.stderr.trim()}`,
    containers,
    ...(logFrom ? { containerId: logFrom.id } : {}),
    logTail,
    ...(kubeletTail !== undefined ? { kubeletTail } : {}),
    ...(hint ? { hint } : {}),
    restorable: options.restorable ?? [],
    checkedAt: (options.now ?? (() => new Date()))().toISOString(),
  };
}

function describeReadyz(result: ExecResult): string {
  if (result.exitCode === 0) return result.stdout.trim().split('\n').slice(-1)[0] ?? '';
  if (result.exitCode === 7) return 'connection refused (nothing listens on 6443)';
  if (result.exitCode === 28) return 'no answer within 3 s';
  if (result.exitCode === null) return `could not run curl on the node: ${result.failure ?? result.stderr.trim()}`;
  return `curl exit code ${result.exitCode}${result.stderr.trim() ? `: ${result.stderr.trim()}` : ''}`;
}
