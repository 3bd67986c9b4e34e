// Checks of the strace-on-etcd lab. Each step is judged on evidence from the
// control-plane node and from etcd itself, never on what the learner typed:
// the trace file strace wrote, the WAL, the apiserver manifest and the
// process that actually runs, and the bytes etcd stores for the secret.
import type { V1Pod } from '@kubernetes/client-node';
import type { Check } from '../../server/checks/check.js';
import { fail, pass } from '../../server/checks/check.js';
import type { ClusterView, ExecResult } from '../../server/checks/cluster-view.js';
import { describeExec, programMissing } from '../../server/checks/pod-facts.js';
import type { Finding } from '../../server/protocol.js';
import { FLAG, flagValue, readApiserverManifest, resolveMount } from './apiserver-manifest.js';
import { ACCEPTED_PROVIDERS, judgeEncryptionConfig } from './encryption-config.js';

export const NODE = 'control-plane';
/** The step text names this path; the checks read the learner's trace there. */
export const TRACE_FILE = '/root/etcd-trace.txt';
export const STRACE_PID_FILE = '/root/etcd-strace.pid';
export const SECRET_NAMESPACE = 'default';
export const SECRET_NAME = 'lab-secret';
export const MANIFEST = '/etc/kubernetes/manifests/kube-apiserver.yaml';
/** Where the step text puts the config; other places are accepted. */
export const DEFAULT_CONFIG = '/etc/kubernetes/enc/enc.yaml';
const DEFAULT_DATA_DIR = '/var/lib/etcd';
/** Enough lines to see the format and the thread ids, small enough for a huge trace. */
const TRACE_HEAD_BYTES = 16_384;
/** grep over a trace of several hundred MB takes a few seconds. */
const GREP_TIMEOUT_MS = 20_000;

/** etcdctl as kubeadm's etcd pod allows it: the binary called directly (the image has no shell). */
export const ETCDCTL = [
  'etcdctl',
  '--endpoints=https://127.0.0.1:2379',
  '--cacert=/etc/kubernetes/pki/etcd/ca.crt',
  '--cert=/etc/kubernetes/pki/etcd/server.crt',
  '--key=/etc/kubernetes/pki/etcd/server.key',
];
export const ETCD_SECRETS_ARGV = [...ETCDCTL, 'get', '/registry/secrets/', '--prefix', '-w', 'json'];

const STOP_STRACE = `kill "$(cat ${STRACE_PID_FILE})"`;

// ---------------------------------------------------------------------------
// Step 1: strace attached to etcd, with -f, writing the trace file.

export const traceEtcd: Check = async (view) => {
  const [straceVersion, etcdPids, head] = await Promise.all([
    view.execOnNode(NODE, ['strace', '-V']),
    view.execOnNode(NODE, ['pgrep', '-x', 'etcd']),
    view.execOnNode(NODE, ['head', '-c', String(TRACE_HEAD_BYTES), TRACE_FILE]),
  ]);
  const findings: Finding[] = [];

  if (straceVersion.exitCode === 0) {
    findings.push(pass('strace installed on the control-plane node', firstLine(straceVersion.stdout), 'strace -V'));
  } else {
    findings.push(
      fail('strace installed on the control-plane node', describeExec(straceVersion), {
        where: 'strace -V',
        advice: programMissing(straceVersion)
          ? 'kind node images do not ship strace: apt-get update && apt-get install -y strace'
          : 'strace is there but does not run; look at the error above.',
      }),
    );
  }

  if (head.exitCode !== 0) {
    findings.push(
      fail(`a trace file ${TRACE_FILE}`, /No such file/i.test(head.stderr) ? 'no such file' : describeExec(head), {
        where: TRACE_FILE,
        advice: `Start strace with "-o ${TRACE_FILE}" (the check reads that path), in the background with "&".`,
      }),
    );
    return findings;
  }
  const lines = completeLines(head.stdout);
  if (lines.length === 0) {
    findings.push(
      fail(`a trace file ${TRACE_FILE} with etcd's write calls`, 'the file is empty', {
        where: TRACE_FILE,
        advice: await whyEmpty(view),
      }),
    );
    return findings;
  }
  findings.push(
    pass(
      `a trace file ${TRACE_FILE}`,
      `${lines.length} lines in the first ${kib(head.stdout.length)}, e.g. ${clip(lines[0] ?? '', 60)}`,
      TRACE_FILE,
    ),
  );

  const tids = threadIds(lines);
  if (tids.size === 0) {
    findings.push(
      fail(
        'one line per thread, prefixed by its thread id (strace -f)',
        `no thread ids: "${clip(lines[0] ?? '', 80)}"`,
        {
          where: TRACE_FILE,
          advice:
            'etcd is a Go program with dozens of threads, and -p alone traces only the first one, which hardly ever writes. ' +
            'Stop this strace and start it again with -f.',
        },
      ),
    );
    return findings;
  }
  findings.push(
    pass('one line per thread, prefixed by its thread id (strace -f)', `${tids.size} threads seen`, TRACE_FILE),
  );

  const etcdPid = firstLine(etcdPids.stdout);
  if (etcdPids.exitCode !== 0 || etcdPid === '') {
    findings.push(
      fail('an etcd process on the control-plane node', describeExec(etcdPids), { where: 'pgrep -x etcd' }),
    );
    return findings;
  }
  const etcdTasks = await tasksOf(view, etcdPid);
  const ours = [...tids].filter((t) => etcdTasks.has(t));
  if (ours.length > 0) {
    findings.push(
      pass(
        `the traced threads belong to etcd (PID ${etcdPid})`,
        `${ours.length} of ${tids.size} traced threads are etcd threads`,
        `/proc/${etcdPid}/task`,
      ),
    );
    return findings;
  }
  const apiserverPid = firstLine((await view.execOnNode(NODE, ['pgrep', '-x', 'kube-apiserver'])).stdout);
  const apiserverTasks = apiserverPid === '' ? new Set<string>() : await tasksOf(view, apiserverPid);
  const isApiserver = [...tids].some((t) => apiserverTasks.has(t));
  findings.push(
    fail(
      `the traced threads belong to etcd (PID ${etcdPid})`,
      isApiserver ? `they belong to kube-apiserver (PID ${apiserverPid})` : 'none of them is an etcd thread',
      {
        where: `/proc/${etcdPid}/task`,
        advice: isApiserver
          ? '"ps aux | grep etcd" also lists kube-apiserver, whose flags mention etcd (--etcd-servers=...). ' +
            `Use pgrep -x etcd, which matches the process name exactly, and trace again into ${TRACE_FILE}.`
          : `The trace is from another process, or etcd restarted since. Trace again: strace -f -p "$(pgrep -x etcd)" ... -o ${TRACE_FILE}`,
      },
    ),
  );
  return findings;
};

/**
 * An empty trace is the signature of a missing -f: etcd's main thread hardly
 * ever writes (on a real cluster: 0 lines in minutes). Only a running
 * strace with -f may simply not have flushed its first block yet.
 */
async function whyEmpty(view: ClusterView): Promise<string> {
  const running = await view.execOnNode(NODE, ['pgrep', '-a', '-x', 'strace']);
  const commands = running.exitCode === 0 ? running.stdout.trim().split('\n') : [];
  const withF = commands.some((c) => c.split(/\s+/).some((arg) => /^-[a-zA-Z]*f[a-zA-Z]*$/.test(arg)));
  if (withF) return 'strace (with -f) is running and writes its output in blocks: wait a few seconds and check again.';
  return (
    "Without -f, strace follows only etcd's first thread, which hardly ever writes: the trace stays empty. " +
    `If strace still runs, stop it (${STOP_STRACE}); then start it again: strace -f -p "$(pgrep -x etcd)" -e trace=write,pwrite64 -s 512 -o ${TRACE_FILE} &`
  );
}

// ---------------------------------------------------------------------------
// Step 2: the secret's value, in plaintext, in the trace and in the WAL.

export const secretInPlaintext: Check = async (view) => {
  const secret = await view.getObject({
    apiVersion: 'v1',
    kind: 'Secret',
    name: SECRET_NAME,
    namespace: SECRET_NAMESPACE,
  });
  if (!secret) {
    return [
      fail(`secret ${SECRET_NAMESPACE}/${SECRET_NAME}`, 'no such secret', {
        where: `kubectl get secret ${SECRET_NAME}`,
        advice: `While strace runs: kubectl create secret generic ${SECRET_NAME} --from-literal=password=S3cr3tValue`,
      }),
    ];
  }
  const value = secretValue(secret);
  if (value === undefined) {
    return [
      fail(`secret ${SECRET_NAMESPACE}/${SECRET_NAME} with a value to look for`, 'the secret has no data', {
        where: `kubectl get secret ${SECRET_NAME} -o yaml`,
        advice: `Recreate it with a value: kubectl delete secret ${SECRET_NAME}; kubectl create secret generic ${SECRET_NAME} --from-literal=password=S3cr3tValue`,
      }),
    ];
  }
  const findings: Finding[] = [
    pass(
      `secret ${SECRET_NAMESPACE}/${SECRET_NAME}`,
      `value "${value.text}" in data.${value.key}`,
      `kubectl get secret ${SECRET_NAME}`,
    ),
  ];

  const dataDir = await etcdDataDir(view);
  const [inTrace, inWal] = await Promise.all([
    view.execOnNode(NODE, ['grep', '-c', '-a', '-F', '-e', value.text, TRACE_FILE], { timeoutMs: GREP_TIMEOUT_MS }),
    // The glob needs a shell; the value and the directory go in as arguments, never into the script.
    view.execOnNode(NODE, ['sh', '-c', 'grep -a -l -F -e "$1" "$2"/member/wal/*.wal', 'sh', value.text, dataDir], {
      timeoutMs: GREP_TIMEOUT_MS,
    }),
  ]);

  if (inTrace.exitCode === 0) {
    findings.push(
      pass(
        `"${value.text}" in plaintext in etcd's write calls`,
        `${firstLine(inTrace.stdout)} matching lines`,
        `grep -c ${value.text} ${TRACE_FILE}`,
      ),
    );
  } else if (inTrace.exitCode === 1) {
    findings.push(
      fail(`"${value.text}" in plaintext in etcd's write calls`, `no line of ${TRACE_FILE} contains it`, {
        where: `grep -c ${value.text} ${TRACE_FILE}`,
        advice: await whyNotInTrace(view),
      }),
    );
  } else {
    findings.push(
      fail(`"${value.text}" in plaintext in etcd's write calls`, describeExec(inTrace), {
        where: TRACE_FILE,
        advice: `Trace etcd into ${TRACE_FILE} first (step 1), then create the secret.`,
      }),
    );
  }

  if (inWal.exitCode === 0) {
    const files = inWal.stdout.trim().split('\n');
    findings.push(
      pass(
        `"${value.text}" in plaintext in etcd's write-ahead log`,
        files.join(', '),
        `grep -a -l ${value.text} ${dataDir}/member/wal/*.wal`,
      ),
    );
  } else {
    findings.push(
      fail(
        `"${value.text}" in plaintext in etcd's write-ahead log`,
        inWal.exitCode === 1 ? 'not in any WAL file' : describeExec(inWal),
        {
          where: `${dataDir}/member/wal/*.wal`,
          advice:
            'etcd appends every change to the WAL before applying it, so a value written in plaintext is there. ' +
            'If encryption at rest is already on, the secret was written encrypted: that is the point of the last step.',
        },
      ),
    );
  }
  return findings;
};

async function whyNotInTrace(view: ClusterView): Promise<string> {
  const [head, tracer] = await Promise.all([
    view.execOnNode(NODE, ['head', '-c', String(TRACE_HEAD_BYTES), TRACE_FILE]),
    view.execOnNode(NODE, ['pgrep', '-x', 'strace']),
  ]);
  if (head.exitCode === 0 && threadIds(completeLines(head.stdout)).size === 0) {
    return "The trace has no thread ids, so strace ran without -f and saw only one of etcd's threads. Trace again with -f (step 1), then delete and recreate the secret.";
  }
  if (tracer.exitCode === 0) {
    return `strace is still running and writes its output in blocks: stop it (${STOP_STRACE}) so it flushes, then check again.`;
  }
  return `strace was not tracing etcd when the secret was written. Start it again (step 1), then: kubectl delete secret ${SECRET_NAME} and create it again.`;
}

// ---------------------------------------------------------------------------
// Step 3: an EncryptionConfiguration on the node.

export const encryptionConfig: Check = async (view) => {
  const manifestText = await view.readNodeFile(NODE, MANIFEST);
  const manifest = manifestText === undefined ? undefined : readApiserverManifest(manifestText);
  // Once the flag is set, the file it names is the one that matters; before
  // that, look for the file wherever the learner put it under /etc/kubernetes.
  let file: string | undefined;
  let others: string[] = [];
  if (manifest?.ok && manifest.flagPath !== undefined) {
    file = resolveMount(manifest.pod, manifest.container, manifest.flagPath).nodePath ?? manifest.flagPath;
  } else {
    const found = await view.execOnNode(NODE, ['grep', '-rlsF', 'EncryptionConfiguration', '/etc/kubernetes']);
    const candidates =
      found.exitCode === 0
        ? found.stdout
            .trim()
            .split('\n')
            .filter((f) => f !== '')
        : [];
    file = candidates.includes(DEFAULT_CONFIG) ? DEFAULT_CONFIG : candidates[0];
    others = candidates.filter((c) => c !== file);
  }
  if (file === undefined) {
    return [
      fail(
        'an EncryptionConfiguration file on the control-plane node',
        'no file under /etc/kubernetes contains "kind: EncryptionConfiguration"',
        {
          where: 'grep -rl EncryptionConfiguration /etc/kubernetes',
          advice: `Write it to ${DEFAULT_CONFIG} (mkdir -p /etc/kubernetes/enc first).`,
        },
      ),
    ];
  }
  const text = await view.readNodeFile(NODE, file);
  if (text === undefined) {
    return [
      fail(
        'an EncryptionConfiguration file on the control-plane node',
        `the apiserver flag names ${manifest?.ok ? manifest.flagPath : file}, but ${file} does not exist on the node`,
        {
          where: file,
          advice: 'Write the file there, or point the flag at the file you wrote.',
        },
      ),
    ];
  }
  const also = others.length > 0 ? ` (also found: ${others.join(', ')})` : '';
  return [
    pass('an EncryptionConfiguration file on the control-plane node', `${file}${also}`, file),
    ...judgeEncryptionConfig(text, file).findings,
  ];
};

// ---------------------------------------------------------------------------
// Step 4: the apiserver manifest has flag + mount + hostPath, and the running
// apiserver uses them.

export const apiserverEncryption: Check = async (view) => {
  const text = await view.readNodeFile(NODE, MANIFEST);
  if (text === undefined)
    return [
      fail(`the kube-apiserver static-pod manifest`, 'file missing', {
        where: MANIFEST,
        advice: 'Reset the lab to restore it.',
      }),
    ];
  const manifest = readApiserverManifest(text);
  if (!manifest.ok) {
    return [
      fail('a valid kube-apiserver manifest', manifest.problem, {
        where: MANIFEST,
        advice:
          'The kubelet ignores a broken manifest: the apiserver is gone until it is fixed. Reset the lab to restore it.',
      }),
    ];
  }
  const flagPath = manifest.flagPath;
  if (flagPath === undefined) {
    return [
      fail(`${FLAG}=<file> in the kube-apiserver command`, 'flag missing', {
        where: `${MANIFEST}: spec.containers[kube-apiserver].command`,
        advice: `Add "- ${FLAG}=${DEFAULT_CONFIG}" to the command list.`,
      }),
    ];
  }
  const findings: Finding[] = [
    pass(`${FLAG}=<file> in the kube-apiserver command`, `${FLAG}=${flagPath}`, `${MANIFEST}: command`),
  ];

  const resolved = resolveMount(manifest.pod, manifest.container, flagPath);
  const mountWhere = `${MANIFEST}: volumeMounts`;
  if (!resolved.mount) {
    const mounts = (manifest.container.volumeMounts ?? []).map((m) => m.mountPath);
    const near = mounts.find((m) => /enc/i.test(m));
    findings.push(
      fail(
        `a volumeMount that makes ${flagPath} visible inside the apiserver container`,
        near ? `mounts include ${near}, which does not contain ${flagPath}` : 'no volumeMount covers it',
        {
          where: mountWhere,
          advice: near
            ? `The flag names a path inside the container; it must be the mountPath or under it. Make the flag and the mountPath agree.`
            : 'The apiserver runs in a container and sees only what is mounted: it will crash with "no such file or directory". ' +
              `Add a volumeMount (e.g. mountPath: /etc/kubernetes/enc, readOnly: true) and a hostPath volume of the same name.`,
        },
      ),
    );
    return findings;
  }
  findings.push(
    pass(
      `a volumeMount that makes ${flagPath} visible inside the apiserver container`,
      `${resolved.mount.name} at ${resolved.mount.mountPath}`,
      mountWhere,
    ),
  );

  const volumeWhere = `${MANIFEST}: volumes`;
  const hostPath = resolved.volume?.hostPath;
  if (!resolved.volume || !hostPath || resolved.nodePath === undefined) {
    findings.push(
      fail(
        `a hostPath volume named ${resolved.mount.name}`,
        resolved.volume ? `volume ${resolved.mount.name} is not a hostPath` : `no volume named ${resolved.mount.name}`,
        {
          where: volumeWhere,
          advice:
            'A volumeMount needs a volume of the same name; the file is on the node, so it is a hostPath volume. Without it the kubelet cannot create the pod.',
        },
      ),
    );
    return findings;
  }
  // Independent reads, in parallel: on the node each one is a docker exec.
  const [stat, config, running] = await Promise.all([
    view.execOnNode(NODE, ['stat', '-c', '%F', hostPath.path]),
    view.readNodeFile(NODE, resolved.nodePath),
    view.execOnNode(NODE, ['pgrep', '-a', '-x', 'kube-apiserver']),
  ]);
  const nodeKind = stat.exitCode === 0 ? stat.stdout.trim() : 'missing';
  const type = hostPath.type ?? '';
  const typeOk =
    nodeKind === 'directory'
      ? ['', 'Directory', 'DirectoryOrCreate'].includes(type) && !resolved.mountsFile
      : nodeKind === 'regular file'
        ? ['', 'File', 'FileOrCreate'].includes(type) && resolved.mountsFile
        : false;
  const expectedType = `hostPath ${hostPath.path} exists on the node with a matching type`;
  if (typeOk) {
    findings.push(pass(expectedType, `${nodeKind}, type: ${type || '(none)'}`, volumeWhere));
  } else {
    findings.push(
      fail(expectedType, `${nodeKind === 'missing' ? 'nothing there' : nodeKind}, type: ${type || '(none)'}`, {
        where: volumeWhere,
        advice:
          nodeKind === 'missing'
            ? `${hostPath.path} does not exist on the node. ${type.endsWith('OrCreate') ? 'The kubelet would create it empty, and the apiserver would find no config.' : 'The kubelet will refuse to start the pod.'}`
            : nodeKind === 'directory'
              ? resolved.mountsFile
                ? "The mount is the flag's file itself, but the node path is a directory: point hostPath.path at the file, or mount the directory at the file's directory."
                : `A directory needs type: Directory (or DirectoryOrCreate); with type ${type} the kubelet refuses the pod ("hostPath type check failed").`
              : resolved.mountsFile
                ? `A file needs type: File (or FileOrCreate); with type ${type} the kubelet refuses the pod ("hostPath type check failed").`
                : 'The mount is a directory in the container but the node path is a file.',
      }),
    );
  }

  const configWhere = `${resolved.nodePath} (node) = ${flagPath} (apiserver)`;
  if (config === undefined) {
    findings.push(
      fail(
        `an EncryptionConfiguration at ${resolved.nodePath}, which the apiserver sees as ${flagPath}`,
        'no such file on the node',
        {
          where: configWhere,
          advice:
            'The flag, the mountPath and the hostPath must point at the same file. The apiserver will exit with "no such file or directory".',
        },
      ),
    );
  } else {
    const problems = judgeEncryptionConfig(config, resolved.nodePath).findings.filter((f) => !f.ok);
    findings.push(
      problems.length === 0
        ? pass(
            `an EncryptionConfiguration at ${resolved.nodePath}, which the apiserver sees as ${flagPath}`,
            'valid, encrypts secrets',
            configWhere,
          )
        : fail(
            `an EncryptionConfiguration at ${resolved.nodePath}, which the apiserver sees as ${flagPath}`,
            problems.map((p) => p.found).join('; '),
            {
              where: configWhere,
              advice: problems[0]?.advice ?? 'See the previous step.',
            },
          ),
    );
  }

  const runningPath = flagValue(running.stdout.trim().split(/\s+/));
  const runningWhere = 'pgrep -a -x kube-apiserver';
  if (running.exitCode !== 0) {
    findings.push(
      fail(`the running kube-apiserver uses ${FLAG}=${flagPath}`, 'no kube-apiserver process', {
        where: runningWhere,
        advice:
          'The apiserver is restarting or crash-looping. Watch it with: crictl ps -a --name kube-apiserver; ' +
          'read why with: crictl logs $(crictl ps -a --name kube-apiserver -q | head -n1). ' +
          'No container at all means the kubelet refused the pod (e.g. "hostPath type check failed"): ' +
          'journalctl -u kubelet --since -5min | grep -o "MountVolume.*" | tail -n 1',
      }),
    );
  } else if (runningPath === flagPath) {
    findings.push(pass(`the running kube-apiserver uses ${FLAG}=${flagPath}`, `${FLAG}=${runningPath}`, runningWhere));
  } else {
    findings.push(
      fail(
        `the running kube-apiserver uses ${FLAG}=${flagPath}`,
        runningPath === undefined ? 'it runs without the flag' : `it runs with ${FLAG}=${runningPath}`,
        {
          where: runningWhere,
          advice:
            'The kubelet restarts the apiserver within about 20 seconds of a manifest change; wait and check again. ' +
            'If it does not come back: crictl ps -a --name kube-apiserver, then crictl logs on the newest container.',
        },
      ),
    );
  }
  return findings;
};

// ---------------------------------------------------------------------------
// Step 5: what etcd holds is ciphertext, for lab-secret and for every secret.

export const secretsEncrypted: Check = async (view) => {
  const etcdPod = await findEtcdPod(view);
  if (!etcdPod)
    return [
      fail('an etcd pod in kube-system (label component=etcd)', 'none found', {
        where: 'kubectl -n kube-system get pods -l component=etcd',
      }),
    ];
  const podName = etcdPod.metadata?.name ?? '';
  const where = `kubectl -n kube-system exec ${podName} -- etcdctl ... get /registry/secrets/ --prefix`;
  const got = await view.execInPod({ namespace: 'kube-system', pod: podName, container: 'etcd' }, ETCD_SECRETS_ARGV, {
    timeoutMs: 10_000,
  });
  const kvs = parseEtcdGet(got);
  if (kvs === undefined) {
    return [
      fail('etcdctl reads /registry/secrets/ in the etcd pod', describeExec(got), {
        where,
        advice: programMissing(got)
          ? 'This etcd image has no etcdctl.'
          : 'etcd did not answer; is it healthy? crictl ps --name etcd',
      }),
    ];
  }
  const findings: Finding[] = [];
  const key = `/registry/secrets/${SECRET_NAMESPACE}/${SECRET_NAME}`;
  const own = kvs.find((kv) => kv.key === key);
  const secret = await view.getObject({
    apiVersion: 'v1',
    kind: 'Secret',
    name: SECRET_NAME,
    namespace: SECRET_NAMESPACE,
  });
  const value = secret ? secretValue(secret) : undefined;
  const plain = kvs.filter((kv) => !encryptionPrefix(kv.value)).map((kv) => kv.key.replace('/registry/secrets/', ''));
  // One look at the running apiserver explains every plaintext value below.
  const why = plain.length > 0 ? await whyPlaintext(view) : undefined;

  if (!own) {
    findings.push(
      fail(`${key} stored encrypted in etcd`, 'no such key in etcd', {
        where,
        advice: `Create the secret again: kubectl create secret generic ${SECRET_NAME} --from-literal=password=S3cr3tValue`,
      }),
    );
  } else {
    const enc = encryptionPrefix(own.value);
    const leaks = value !== undefined && own.value.includes(Buffer.from(value.text));
    if (enc && (ACCEPTED_PROVIDERS as readonly string[]).includes(enc.provider) && !leaks) {
      findings.push(
        pass(
          `${key} stored encrypted in etcd`,
          `starts with ${enc.prefix}, no "${value?.text ?? 'plaintext'}" in it`,
          where,
        ),
      );
    } else if (enc && !leaks) {
      findings.push(
        fail(`${key} stored encrypted with aescbc or secretbox`, `starts with ${enc.prefix}`, {
          where,
          advice:
            'Encrypted, but with a provider this lab does not teach; use aescbc or secretbox as the first provider.',
        }),
      );
    } else {
      findings.push(
        fail(`${key} stored encrypted in etcd`, `plaintext: ${printable(own.value, 60)}`, {
          where,
          advice: why ?? 'The value is in the stored bytes: rewrite the secret.',
        }),
      );
    }
  }

  if (plain.length === 0) {
    findings.push(
      pass('every secret in etcd encrypted', `${kvs.length} of ${kvs.length} secrets start with k8s:enc:`, where),
    );
  } else {
    findings.push(
      fail(
        'every secret in etcd encrypted',
        `${plain.length} of ${kvs.length} still plaintext: ${plain.slice(0, 5).join(', ')}${plain.length > 5 ? ', ...' : ''}`,
        {
          where,
          advice: why ?? REWRITE_ADVICE,
        },
      ),
    );
  }

  if (value !== undefined) {
    findings.push(
      pass(
        'authorised clients still read the secret through the API (encryption at rest protects etcd and its files, not the API)',
        `data.${value.key} decodes to "${value.text}"`,
        `kubectl get secret ${SECRET_NAME}`,
      ),
    );
  }
  return findings;
};

async function whyPlaintext(view: ClusterView): Promise<string> {
  const running = await view.execOnNode(NODE, ['pgrep', '-a', '-x', 'kube-apiserver']);
  const pid = running.stdout.trim().split(/\s+/)[0] ?? '';
  const flagPath = flagValue(running.stdout.trim().split(/\s+/));
  if (running.exitCode !== 0 || flagPath === undefined) {
    return `The running apiserver has no ${FLAG}, so it stores everything in plaintext: finish the previous step first.`;
  }
  // The file the running apiserver actually reads, through its own mount namespace.
  const config = await view.readNodeFile(NODE, `/proc/${pid}/root${flagPath}`);
  const writer = config === undefined ? undefined : judgeEncryptionConfig(config, flagPath).writer;
  if (writer === 'identity') {
    return (
      "The running apiserver's config lists identity FIRST, so every write, a rewrite included, is stored in plaintext. " +
      'Put aescbc or secretbox first, restart the apiserver so it reads the file again (crictl stop $(crictl ps -q --name kube-apiserver)), then rewrite the secrets.'
    );
  }
  return REWRITE_ADVICE;
}

const REWRITE_ADVICE =
  'Encryption applies to writes only: what was stored before stays plaintext. Rewrite every existing secret: kubectl get secrets -A -o json | kubectl replace -f -';

// ---------------------------------------------------------------------------
// Helpers

interface EtcdKv {
  key: string;
  value: Buffer;
}

/** `etcdctl get -w json`: keys and values are base64. */
export function parseEtcdGet(result: ExecResult): EtcdKv[] | undefined {
  if (result.exitCode !== 0) return undefined;
  try {
    const body = JSON.parse(result.stdout) as { kvs?: { key?: string; value?: string }[] };
    return (body.kvs ?? []).map((kv) => ({
      key: Buffer.from(kv.key ?? '', 'base64').toString('utf8'),
      value: Buffer.from(kv.value ?? '', 'base64'),
    }));
  } catch {
    return undefined;
  }
}

/** "k8s:enc:aescbc:v1:key1:" → provider and prefix; undefined for plaintext ("k8s\0" protobuf). */
export function encryptionPrefix(value: Buffer): { provider: string; prefix: string } | undefined {
  const head = value.subarray(0, 120).toString('latin1');
  const match = /^k8s:enc:([a-z0-9]+):(v\d+):([^:]*):/.exec(head);
  if (match) return { provider: match[1] ?? '', prefix: match[0] };
  // KMS v2 stores "k8s:enc:kms:v2:<name>:" followed by protobuf; same shape, kept for the "every secret" count.
  return head.startsWith('k8s:enc:') ? { provider: 'unknown', prefix: 'k8s:enc:' } : undefined;
}

/** A secret's value to look for: data.password if present, else the first key. */
export function secretValue(secret: object): { key: string; text: string } | undefined {
  const data = (secret as { data?: Record<string, string> }).data ?? {};
  const key = 'password' in data ? 'password' : Object.keys(data)[0];
  if (key === undefined) return undefined;
  const text = Buffer.from(data[key] ?? '', 'base64').toString('utf8');
  return text === '' ? undefined : { key, text };
}

async function findEtcdPod(view: ClusterView): Promise<V1Pod | undefined> {
  const pods = await view.listPods('kube-system', { labelSelector: 'component=etcd' });
  return pods.find((p) => p.status?.phase === 'Running') ?? pods[0];
}

async function etcdDataDir(view: ClusterView): Promise<string> {
  const pod = await findEtcdPod(view);
  const container = pod?.spec?.containers.find((c) => c.name === 'etcd') ?? pod?.spec?.containers[0];
  return flagValue([...(container?.command ?? []), ...(container?.args ?? [])], '--data-dir') ?? DEFAULT_DATA_DIR;
}

async function tasksOf(view: ClusterView, pid: string): Promise<Set<string>> {
  const result = await view.execOnNode(NODE, ['ls', `/proc/${pid}/task`]);
  return new Set(result.exitCode === 0 ? result.stdout.split(/\s+/).filter((t) => /^\d+$/.test(t)) : []);
}

/** `strace -f -o FILE` prefixes every line with the thread id; without -f there is none. */
export function threadIds(lines: readonly string[]): Set<string> {
  const ids = new Set<string>();
  for (const line of lines) {
    const match = /^(\d+) +\S/.exec(line);
    if (match?.[1]) ids.add(match[1]);
  }
  return ids;
}

/** Lines of a head -c cut, without the last one if it was cut in the middle. */
function completeLines(text: string): string[] {
  const lines = text.split('\n');
  lines.pop();
  return lines.filter((l) => l.trim() !== '');
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() ?? '';
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}...`;
}

function kib(bytes: number): string {
  return bytes < 1024 ? `${bytes} bytes` : `${Math.round(bytes / 1024)} KiB`;
}

/** Bytes as cat -v would show them, for plaintext protobuf in a finding. */
function printable(value: Buffer, max: number): string {
  let out = '';
  for (const byte of value.subarray(0, max)) out += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
  return value.length > max ? `${out}...` : out;
}
