// Checks of the api-auditing lab. Everything is read on the control-plane
// node (manifest, policy, log, the running process, /readyz through curl) and
// never through the Kubernetes API: these steps make the apiserver restart
// or crash, and exactly then the learner needs precise findings about the
// manifest rather than "could not reach the cluster".
import { randomBytes } from 'node:crypto';
import path from 'node:path/posix';
import { z } from 'zod';
import type { Check } from '../../server/checks/check.js';
import { fail, pass } from '../../server/checks/check.js';
import type { ClusterView, ExecResult } from '../../server/checks/cluster-view.js';
import type { Finding } from '../../server/protocol.js';
import { APISERVER_HEALTH_EXPECTED } from '../../server/labs/apiserver-diagnosis-protocol.js';
import {
  decide,
  describeRule,
  fatalProblems,
  mentionsSecrets,
  omittedStages,
  readPolicy,
  ruleMatches,
  secretsNearMisses,
  type AuditPolicy,
  type AuditRequest,
  type Decision,
} from './audit-policy.js';
import {
  APISERVER_MANIFEST,
  flagValue,
  readManifest,
  resolveHostPath,
  unknownAuditFlags,
  type ApiserverManifest,
} from './apiserver-manifest.js';

export const NODE = 'control-plane';
export const DEFAULT_POLICY_PATH = '/etc/kubernetes/audit/policy.yaml';
export const DEFAULT_LOG_PATH = '/var/log/kubernetes/audit/audit.log';
export const LAB_NAMESPACE = 'audit-lab';
/** The secret the learner creates in step 3. */
export const LEARNER_SECRET = 'db-password';

const READYZ_ARGV = ['curl', '-sk', '--max-time', '3', 'https://127.0.0.1:6443/readyz'];
const PGREP_ARGV = ['pgrep', '-a', '-x', 'kube-apiserver'];
const FIND_POLICY_ARGV = ['grep', '-rlE', '^kind:[[:space:]]*Policy', '/etc/kubernetes'];
const LOG_TAIL_LINES = 50;
/**
 * Node commands get twice the default deadline: these checks run right after
 * the control-plane node restarted its apiserver, when every `docker exec`
 * into it is slow. The check as a whole still has the runner's deadline.
 */
const NODE_CALL = { timeoutMs: 10_000 };

// ---- step 1: the policy ---------------------------------------------------

export const auditPolicy: Check = async (view) => {
  const located = await locatePolicy(view);
  if (!located.ok) return located.findings;
  return [
    pass('an audit policy file on the control-plane node', located.hostPath, located.why),
    ...judgePolicy(located.text, `${NODE}:${located.hostPath}`),
  ];
};

type LocatedPolicy = { ok: true; hostPath: string; text: string; why: string } | { ok: false; findings: Finding[] };

/** The flag's file when the manifest names one, else the path the step text uses, else any Policy under /etc/kubernetes. */
async function locatePolicy(view: ClusterView): Promise<LocatedPolicy> {
  const manifestText = await view.readNodeFile(NODE, APISERVER_MANIFEST, NODE_CALL);
  const reading = manifestText === undefined ? undefined : readManifest(manifestText);
  const flag = reading?.ok ? flagValue(reading.manifest, 'audit-policy-file') : undefined;
  if (reading?.ok && flag) {
    const resolved = resolveHostPath(reading.manifest, flag);
    const hostPath = resolved.ok ? resolved.hostPath : flag;
    const text = await view.readNodeFile(NODE, hostPath, NODE_CALL);
    if (text === undefined) {
      return {
        ok: false,
        findings: [
          fail(
            `the file --audit-policy-file names exists on the node`,
            `--audit-policy-file=${flag}, but ${NODE}:${hostPath} does not exist`,
            {
              where: APISERVER_MANIFEST,
              advice:
                'Write the policy to that path on the control-plane node (or change the flag and the volume to where you wrote it).',
            },
          ),
        ],
      };
    }
    return { ok: true, hostPath, text, why: `named by --audit-policy-file in ${APISERVER_MANIFEST}` };
  }
  const atDefault = await view.readNodeFile(NODE, DEFAULT_POLICY_PATH, NODE_CALL);
  if (atDefault !== undefined)
    return { ok: true, hostPath: DEFAULT_POLICY_PATH, text: atDefault, why: 'the path the step uses' };

  const search = await view.execOnNode(NODE, FIND_POLICY_ARGV, NODE_CALL);
  const candidates = search.exitCode === 0 ? search.stdout.split('\n').filter(Boolean) : [];
  const inManifests = candidates.filter((c) => c.startsWith('/etc/kubernetes/manifests/'));
  const usable = candidates.filter((c) => !inManifests.includes(c));
  const findings: Finding[] = [];
  if (inManifests.length > 0) {
    findings.push(
      fail('the policy outside /etc/kubernetes/manifests', inManifests.join(', '), {
        where: `${NODE}:/etc/kubernetes/manifests`,
        advice:
          'kubelet treats every file in /etc/kubernetes/manifests as a static pod and logs errors about one that is not. Move the policy to /etc/kubernetes/audit/policy.yaml.',
      }),
    );
  }
  const first = usable[0];
  if (first !== undefined) {
    const text = await view.readNodeFile(NODE, first, NODE_CALL);
    if (text !== undefined) {
      if (findings.length > 0) return { ok: false, findings };
      return {
        ok: true,
        hostPath: first,
        text,
        why: `found by searching /etc/kubernetes for "kind: Policy" (the step uses ${DEFAULT_POLICY_PATH})`,
      };
    }
  }
  findings.push(
    fail(
      'an audit policy file on the control-plane node',
      `no file at ${DEFAULT_POLICY_PATH}, and no file with "kind: Policy" under /etc/kubernetes`,
      {
        where: `${NODE}:${DEFAULT_POLICY_PATH}`,
        advice: `Create the directory and the file on the control-plane node: mkdir -p ${path.dirname(DEFAULT_POLICY_PATH)}, then write the policy from the step text into ${DEFAULT_POLICY_PATH}.`,
      },
    ),
  );
  return { ok: false, findings };
}

const SUBJECTS = [
  {
    label: 'kubectl (kubernetes-admin)',
    user: 'kubernetes-admin',
    groups: ['kubeadm:cluster-admins', 'system:authenticated'],
  },
  {
    label: 'a pod (service account)',
    user: `system:serviceaccount:${LAB_NAMESPACE}:default`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${LAB_NAMESPACE}`, 'system:authenticated'],
  },
] as const;
const SECRET_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] as const;

function secretRequest(subject: (typeof SUBJECTS)[number], verb: string): AuditRequest {
  const named = verb === 'get' || verb === 'update' || verb === 'patch' || verb === 'delete';
  return {
    user: subject.user,
    groups: [...subject.groups],
    verb,
    namespace: LAB_NAMESPACE,
    apiGroup: '',
    resource: 'secrets',
    ...(named ? { name: LEARNER_SECRET } : {}),
  };
}

interface Outcome {
  req: AuditRequest;
  subject: string;
  decision: Decision;
}

/** Findings about one policy file: would it load, and at which level are secrets logged. */
export function judgePolicy(text: string, where: string): Finding[] {
  const reading = readPolicy(text);
  if (!reading.ok) {
    return [
      fail('a valid audit policy (YAML)', reading.problem, {
        where,
        ...(reading.advice ? { advice: reading.advice } : {}),
      }),
    ];
  }
  const policy = reading.policy;
  const findings: Finding[] = [];
  const fatal = fatalProblems(policy);
  for (const f of fatal) findings.push(fail('a policy kube-apiserver accepts', f.problem, { where, advice: f.advice }));
  if (fatal.length > 0) return findings;
  findings.push(
    pass(
      `apiVersion ${policy.apiVersion}, kind Policy, ${policy.rules.length} rule(s)`,
      `${policy.apiVersion} Policy`,
      where,
    ),
  );

  if (policy.ignoredFields.length > 0) {
    findings.push(
      fail('only fields the Policy API defines', `unknown: ${policy.ignoredFields.join(', ')}`, {
        where,
        advice:
          'kube-apiserver ignores unknown fields (it only logs a warning), so a misspelled selector silently disappears and the rule matches more than you meant. ' +
          'Rule fields are level, users, userGroups, verbs, resources (group, resources, resourceNames), namespaces, nonResourceURLs, omitStages.',
      }),
    );
  }
  findings.push(...judgeSecrets(policy, where));
  return findings;
}

function judgeSecrets(policy: AuditPolicy, where: string): Finding[] {
  const outcomes: Outcome[] = SUBJECTS.flatMap((s) =>
    SECRET_VERBS.map((verb) => {
      const req = secretRequest(s, verb);
      return { req, subject: s.label, decision: decide(policy, req) };
    }),
  );
  const findings: Finding[] = [];
  const leaking = outcomes.filter((o) => o.decision.level === 'Request' || o.decision.level === 'RequestResponse');
  const unlogged = outcomes.filter((o) => o.decision.level === 'None');
  const nearMisses = policy.rules.flatMap(secretsNearMisses);

  if (leaking.length > 0) {
    findings.push(
      fail('no rule logs secrets at Request or RequestResponse', summarise(leaking), {
        where,
        advice:
          'At level Request the audit log stores the request body, so every create or update of a secret writes its data into the log; ' +
          'RequestResponse also stores the response, so every get or list does too. Whoever can read the log (backups, log shippers, SIEM users) then reads every secret. ' +
          'Log secrets at level: Metadata (who, what, when; no body).' +
          shadowAdvice(policy, leaking),
      }),
    );
  }
  if (unlogged.length > 0) {
    findings.push(
      fail('every request on secrets logged at Metadata', summarise(unlogged), {
        where,
        advice:
          'Secret reads that leave no trace are exactly what an attacker with a stolen token wants. ' +
          (nearMisses.length > 0
            ? `${nearMisses.join('; ')}.`
            : shadowAdvice(policy, unlogged).trim() ||
              'Add a rule near the top: - level: Metadata with resources: [{group: "", resources: ["secrets"]}].'),
      }),
    );
  }
  if (leaking.length === 0 && unlogged.length === 0) {
    findings.push(pass('every request on secrets logged at Metadata', summarise(outcomes), where));
  }

  // Without ResponseComplete the log says a request arrived, not what became of it,
  // and a create's event has no object name yet (it is read from the body later).
  const create = outcomes.find((o) => o.req.verb === 'create' && o.req.user === 'kubernetes-admin');
  if (
    create &&
    create.decision.level !== 'None' &&
    omittedStages(policy, create.decision.rule).includes('ResponseComplete')
  ) {
    findings.push(
      fail('the ResponseComplete stage kept for secrets', 'omitStages includes ResponseComplete', {
        where,
        advice:
          'ResponseComplete is the event with the outcome (response code) and the object\'s name; omit RequestReceived instead (omitStages: ["RequestReceived"]), which halves the log without losing anything.',
      }),
    );
  }
  return findings;
}

/** "create, get by kubectl (kubernetes-admin) → RequestResponse (rules[0] (...))" per deciding rule. */
function summarise(outcomes: Outcome[]): string {
  const byRule = new Map<string, Outcome[]>();
  for (const o of outcomes) {
    const key = `${o.decision.rule?.index ?? -1}|${o.decision.level}`;
    byRule.set(key, [...(byRule.get(key) ?? []), o]);
  }
  return [...byRule.values()]
    .map((group) => {
      const head = group[0];
      if (!head) return '';
      const subjects = [...new Set(group.map((o) => o.subject))];
      const verbs = [...new Set(group.map((o) => o.req.verb))];
      const by = subjects.length === SUBJECTS.length ? 'by anyone' : `by ${subjects.join(' and ')}`;
      const rule = head.decision.rule ? describeRule(head.decision.rule) : 'no rule matches (not logged at all)';
      return `${verbs.join(', ')} ${by} → ${head.decision.level} via ${rule}`;
    })
    .join('; ');
}

/** When a later rule that names secrets would have given Metadata, say it is shadowed. */
function shadowAdvice(policy: AuditPolicy, outcomes: Outcome[]): string {
  for (const o of outcomes) {
    const decider = o.decision.rule;
    if (!decider || mentionsSecrets(decider)) continue;
    const later = policy.rules.find((r) => r.index > decider.index && mentionsSecrets(r) && ruleMatches(r, o.req));
    if (later) {
      return (
        ` Your secrets rule rules[${later.index}] (level: ${later.level}) never applies to these requests: ${describeRule(decider)} comes first, ` +
        'and the first matching rule decides. Move the secrets rule above it.'
      );
    }
  }
  return '';
}

// ---- step 2: the manifest, the restart, the log ------------------------------

interface AuditSetup {
  manifest: ApiserverManifest;
  policyFlag: string;
  logFlag: string;
  /** Node paths, when the mounts resolve. */
  policyHostPath?: string;
  logHostPath?: string;
}

/** Flags and mounts of the manifest; findings for every inconsistency. */
async function readAuditSetup(
  view: ClusterView,
  options: { readPolicyFile: boolean } = { readPolicyFile: true },
): Promise<{ findings: Finding[]; setup?: AuditSetup }> {
  const where = `${NODE}:${APISERVER_MANIFEST}`;
  const text = await view.readNodeFile(NODE, APISERVER_MANIFEST, NODE_CALL);
  if (text === undefined) {
    return {
      findings: [
        fail('the static-pod manifest exists', `${APISERVER_MANIFEST} is missing`, {
          where,
          advice:
            'Without the manifest kubelet stops the apiserver. If you moved it away to restart the apiserver, move it back; otherwise use Restore (or "Reset lab") to put back the backup.',
        }),
      ],
    };
  }
  const reading = readManifest(text);
  if (!reading.ok)
    return { findings: [fail('a manifest kubelet can read', reading.problem, { where, advice: reading.advice })] };
  const manifest = reading.manifest;
  const findings: Finding[] = [];

  for (const flag of unknownAuditFlags(manifest)) {
    findings.push(
      fail('only flags kube-apiserver knows', `--${flag}`, {
        where,
        advice:
          'kube-apiserver exits at once on an unknown flag ("unknown flag: --..."). Check the spelling: --audit-policy-file, --audit-log-path, --audit-log-maxage, --audit-log-maxbackup, --audit-log-maxsize.',
      }),
    );
  }
  for (const [flag, values] of manifest.flags) {
    if (flag.startsWith('audit-') && values.length > 1) {
      findings.push(
        fail(`--${flag} given once`, `${values.length} times: ${values.join(', ')}`, {
          where,
          advice: 'Only the last one counts; remove the others so the manifest says what runs.',
        }),
      );
    }
  }

  const policyFlag = flagValue(manifest, 'audit-policy-file');
  const logFlag = flagValue(manifest, 'audit-log-path');
  if (!policyFlag) {
    findings.push(
      fail('--audit-policy-file=<policy path> on kube-apiserver', 'flag missing', {
        where,
        advice: `Without a policy kube-apiserver audits nothing. Add "- --audit-policy-file=${DEFAULT_POLICY_PATH}" to the command list.`,
      }),
    );
  }
  if (!logFlag) {
    findings.push(
      fail('--audit-log-path=<log file> on kube-apiserver', 'flag missing', {
        where,
        advice: `Without a log path (or a webhook) the events go nowhere. Add "- --audit-log-path=${DEFAULT_LOG_PATH}".`,
      }),
    );
  } else if (logFlag === '-') {
    findings.push(
      fail('--audit-log-path=<log file> on kube-apiserver', "--audit-log-path=- (the apiserver's stdout)", {
        where,
        advice: `"-" sends audit events into the container log, mixed with everything else and rotated away by kubelet. Use a file, e.g. ${DEFAULT_LOG_PATH}, on a hostPath volume.`,
      }),
    );
  }
  const format = flagValue(manifest, 'audit-log-format');
  if (format !== undefined && format !== 'json') {
    findings.push(
      fail('JSON audit events', `--audit-log-format=${format}`, {
        where,
        advice:
          'Drop --audit-log-format (json is the default) or set it to json: tools and this check read JSON lines.',
      }),
    );
  }
  if (!policyFlag || !logFlag || logFlag === '-') return { findings, setup: undefined };

  const setup: AuditSetup = { manifest, policyFlag, logFlag };
  const policyMount = resolveHostPath(manifest, policyFlag);
  if (!policyMount.ok) {
    findings.push(
      fail(`a hostPath volume mounted at ${policyFlag} (or its directory)`, policyMount.problem, {
        where,
        advice: `${policyMount.advice} Until then kube-apiserver exits with "failed to read file path ${JSON.stringify(policyFlag)}: no such file or directory".`,
      }),
    );
  } else {
    setup.policyHostPath = policyMount.hostPath;
    const mountedFile = policyMount.mount.mountPath.replace(/\/$/, '') === path.normalize(policyFlag);
    if (
      mountedFile &&
      policyMount.hostPathType !== '' &&
      policyMount.hostPathType !== 'File' &&
      policyMount.hostPathType !== 'FileOrCreate'
    ) {
      findings.push(
        fail('the policy volume of type File', `hostPath type ${policyMount.hostPathType} for a file`, {
          where,
          advice:
            'For a single file use type: File (kubelet refuses to start the pod when the file is missing, which is what you want).',
        }),
      );
    } else if (!mountedFile && policyMount.hostPathType === 'File') {
      findings.push(
        fail(
          'a directory volume for the policy directory',
          `hostPath type File mounted on the directory ${policyMount.mount.mountPath}`,
          { where, advice: 'Use type: Directory or DirectoryOrCreate for a directory.' },
        ),
      );
    } else if (options.readPolicyFile) {
      const policyFile = await view.readNodeFile(NODE, policyMount.hostPath, NODE_CALL);
      findings.push(
        policyFile === undefined
          ? fail(`the policy file exists on the node`, `${NODE}:${policyMount.hostPath} does not exist`, {
              where: `volume "${policyMount.volume.name}" in ${APISERVER_MANIFEST}`,
              advice: `The container path ${policyFlag} maps to ${policyMount.hostPath} on the node through volume "${policyMount.volume.name}": write the policy there, or fix the hostPath so it points at your file.`,
            })
          : pass(
              `--audit-policy-file is mounted from the node`,
              `${policyFlag} ← ${NODE}:${policyMount.hostPath} (volume "${policyMount.volume.name}"${policyMount.mount.readOnly ? ', read-only' : ''})`,
              where,
            ),
      );
      if (policyFile !== undefined)
        findings.push(...judgePolicy(policyFile, `${NODE}:${policyMount.hostPath}`).filter((f) => !f.ok));
    }
  }

  const logDir = path.dirname(logFlag);
  const logMount = resolveHostPath(manifest, logDir);
  const fileMount = resolveHostPath(manifest, logFlag);
  // The docs mount the log file itself (type FileOrCreate); a directory mount also works and survives rotation.
  const usable = logMount.ok
    ? logMount
    : fileMount.ok && fileMount.mount.mountPath.replace(/\/$/, '') === path.normalize(logFlag)
      ? fileMount
      : undefined;
  if (!usable) {
    findings.push(
      fail(`a hostPath volume mounted at ${logDir}`, logMount.ok ? '' : logMount.problem, {
        where,
        advice: logMount.ok
          ? ''
          : `${logMount.advice} Without it the apiserver writes the log inside its own container: invisible on the node and gone at the next restart.`,
      }),
    );
  } else if (usable.mount.readOnly) {
    findings.push(
      fail(
        `the log volume writable`,
        `volumeMount "${usable.mount.name}" at ${usable.mount.mountPath} is readOnly: true`,
        {
          where,
          advice:
            'The apiserver must write the log: remove readOnly from the log volumeMount (keep it on the policy mount).',
        },
      ),
    );
  } else if (usable === logMount && (usable.hostPathType === 'File' || usable.hostPathType === 'FileOrCreate')) {
    findings.push(
      fail(
        'a directory volume for the log directory',
        `hostPath type ${usable.hostPathType} mounted at the directory ${usable.mount.mountPath}`,
        {
          where,
          advice: 'Use type: DirectoryOrCreate for the log directory.',
        },
      ),
    );
  } else {
    const hostLog = usable === logMount ? path.join(usable.hostPath, path.basename(logFlag)) : usable.hostPath;
    setup.logHostPath = hostLog;
    findings.push(
      pass(
        '--audit-log-path on a writable hostPath volume',
        `${logFlag} → ${NODE}:${hostLog} (volume "${usable.volume.name}")`,
        where,
      ),
    );
  }
  return { findings, setup };
}

/** /readyz on the node itself: independent of the host's route to the cluster and of kubeconfig. */
async function apiserverHealth(view: ClusterView): Promise<{ healthy: boolean; finding: Finding }> {
  const result = await view.execOnNode(NODE, READYZ_ARGV, NODE_CALL);
  const where = `${READYZ_ARGV.join(' ')} on the ${NODE} node`;
  if (result.exitCode === 0 && result.stdout.trim() === 'ok')
    return { healthy: true, finding: pass(APISERVER_HEALTH_EXPECTED, 'ok', where) };
  const found =
    result.exitCode === 0
      ? result.stdout.trim().split('\n').slice(-3).join(' ') || 'an empty answer'
      : describeCurl(result);
  return {
    healthy: false,
    finding: fail(APISERVER_HEALTH_EXPECTED, found, {
      where,
      advice:
        'After a manifest edit kubelet restarts the apiserver: 30-60 s without an answer is normal, so check again in a moment. ' +
        'If it stays down, it is crash-looping: the panel below (or `crictl ps -a --name kube-apiserver` and `crictl logs <id>` on the control-plane node) shows why. ' +
        'Fix the manifest, or use Restore to put back the copy saved when the lab started.',
    }),
  };
}

function describeCurl(result: ExecResult): string {
  if (result.exitCode === null) return `curl did not run: ${result.failure ?? result.stderr.trim()}`;
  if (result.exitCode === 7) return 'connection refused: nothing listens on port 6443 (the apiserver is not running)';
  if (result.exitCode === 28) return 'no answer within 3 s (the apiserver is starting or stuck)';
  // 35 TLS handshake failed, 52 empty reply, 56 connection reset: something
  // listened, then went away: an apiserver starting up or being stopped.
  if (result.exitCode === 35 || result.exitCode === 52 || result.exitCode === 56) {
    return `the connection broke off (curl exit code ${result.exitCode}): the apiserver is starting or being stopped`;
  }
  return `curl exit code ${result.exitCode}${result.stderr.trim() ? `: ${result.stderr.trim()}` : ''}`;
}

export const auditingEnabled: Check = async (view) => {
  // Independent looks at once: each is a command on the node, and a loaded
  // machine makes every one of them slow.
  const [{ findings, setup }, health, running] = await Promise.all([
    readAuditSetup(view),
    apiserverHealth(view),
    view.execOnNode(NODE, PGREP_ARGV, NODE_CALL),
  ]);
  findings.push(health.finding);
  if (!setup || !health.healthy) return findings;

  // The manifest says what should run; the process says what runs.
  const cmdline = running.exitCode === 0 ? running.stdout : '';
  const wanted = [`--audit-policy-file=${setup.policyFlag}`, `--audit-log-path=${setup.logFlag}`];
  const missing = wanted.filter((flag) => !cmdline.split(/\s+/).includes(flag));
  if (missing.length > 0) {
    findings.push(
      fail('the running kube-apiserver uses the audit flags', `the running process lacks ${missing.join(' ')}`, {
        where: `${PGREP_ARGV.join(' ')} on the ${NODE} node`,
        advice:
          'kubelet notices a changed manifest within about 20 s and then replaces the apiserver: check again in a minute. ' +
          `If it never changes, make sure you edited ${APISERVER_MANIFEST} on the control-plane node (not a copy elsewhere).`,
      }),
    );
    return findings;
  }
  findings.push(
    pass(
      'the running kube-apiserver uses the audit flags',
      wanted.join(' '),
      `${PGREP_ARGV.join(' ')} on the ${NODE} node`,
    ),
  );

  if (setup.logHostPath) findings.push(await logHoldsEvents(view, setup.logHostPath));
  return findings;
};

const auditEventSchema = z.looseObject({
  kind: z.literal('Event'),
  apiVersion: z.string(),
  level: z.string(),
  stage: z.string().optional(),
  verb: z.string(),
  requestURI: z.string().optional(),
  user: z.looseObject({ username: z.string().optional() }).optional(),
  objectRef: z
    .looseObject({
      resource: z.string().optional(),
      namespace: z.string().optional(),
      name: z.string().optional(),
    })
    .optional(),
  requestObject: z.unknown().optional(),
  responseObject: z.unknown().optional(),
  responseStatus: z.looseObject({ code: z.number().optional() }).optional(),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

/** JSON lines → events; a torn last line (the apiserver is writing) is skipped. */
export function parseAuditLines(text: string): { events: { event: AuditEvent; line: string }[]; bad: number } {
  const events: { event: AuditEvent; line: string }[] = [];
  let bad = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      bad++;
      continue;
    }
    const parsed = auditEventSchema.safeParse(json);
    if (parsed.success) events.push({ event: parsed.data, line });
    else bad++;
  }
  return { events, bad };
}

function describeEvent(e: AuditEvent): string {
  const obj = e.objectRef
    ? `${e.objectRef.resource ?? ''}${e.objectRef.namespace ? ` ${e.objectRef.namespace}/` : ' '}${e.objectRef.name ?? ''}`.trim()
    : (e.requestURI ?? '');
  return `${e.verb} ${obj} by ${e.user?.username ?? '?'} at ${e.level}${e.stage ? ` (${e.stage})` : ''}`;
}

async function logHoldsEvents(view: ClusterView, hostLog: string): Promise<Finding> {
  const argv = ['tail', '-n', String(LOG_TAIL_LINES), hostLog];
  const where = `${argv.join(' ')} on the ${NODE} node`;
  const tail = await view.execOnNode(NODE, argv, NODE_CALL);
  if (tail.exitCode !== 0) {
    return fail('JSON audit events in the log', tail.failure ?? (tail.stderr.trim() || `exit code ${tail.exitCode}`), {
      where,
      advice:
        'The apiserver creates the file at start when the flag and the volume are right. If it runs but there is no file, the hostPath and the mountPath do not point at the same place.',
    });
  }
  const { events } = parseAuditLines(tail.stdout);
  const newest = events.at(-1);
  if (!newest) {
    return fail(
      'JSON audit events in the log',
      tail.stdout.trim() ? 'lines that are not audit events' : 'an empty log',
      {
        where,
        advice:
          'Every request is an event once the policy matches it. If the log stays empty, your policy logs nothing (check the catch-all rule), or --audit-log-format is not json.',
      },
    );
  }
  return pass(
    'JSON audit events in the log',
    `${events.length} events in the last ${LOG_TAIL_LINES} lines; newest: ${describeEvent(newest.event)}`,
    where,
  );
}

// ---- step 3: proof with a secret ------------------------------------------------

export interface SecretsProbeOptions {
  /** Name of the throw-away probe secret (unique per run). */
  probeName: () => string;
  /** Its value: the check searches the log for it, so it must be unique too. */
  probeValue: () => string;
  /** Pause between log reads while the apiserver writes the event. */
  sleep: (ms: number) => Promise<void>;
  attempts: number;
}

const DEFAULT_PROBE: SecretsProbeOptions = {
  probeName: () => `hl-audit-probe-${randomBytes(4).toString('hex')}`,
  probeValue: () => `hl-probe-value-${randomBytes(8).toString('hex')}`,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  attempts: 6,
};

/** Builds the step-3 check; tests inject fixed names and no sleeping. */
export function makeSecretsLoggedAtMetadata(options: Partial<SecretsProbeOptions> = {}): Check {
  const o: SecretsProbeOptions = { ...DEFAULT_PROBE, ...options };
  return async (view) => {
    // Step 3 only needs the log's path: the policy itself is step 1's and 2's business.
    const [{ setup }, health] = await Promise.all([
      readAuditSetup(view, { readPolicyFile: false }),
      apiserverHealth(view),
    ]);
    if (!setup?.logHostPath) {
      return [
        fail(
          'auditing enabled with a log file on the node',
          'the manifest has no working --audit-log-path volume yet',
          {
            where: `${NODE}:${APISERVER_MANIFEST}`,
            advice: 'Finish the previous step first: its check names what is missing.',
          },
        ),
      ];
    }
    if (!health.healthy) return [health.finding];
    const log = setup.logHostPath;
    const [learner, probe] = await Promise.all([learnerSecretFinding(view, log), probeFindings(view, log, o)]);
    return [learner, ...probe];
  };
}

async function grepLog(
  view: ClusterView,
  needle: string,
  log: string,
): Promise<{ result: ExecResult; argv: string[] }> {
  const argv = ['grep', '-F', needle, log];
  return { result: await view.execOnNode(NODE, argv, NODE_CALL), argv };
}

function secretCreates(text: string, namespace: string, name: string): { event: AuditEvent; line: string }[] {
  return parseAuditLines(text).events.filter(
    ({ event: e }) =>
      e.verb === 'create' &&
      e.objectRef?.resource === 'secrets' &&
      e.objectRef.namespace === namespace &&
      e.objectRef.name === name,
  );
}

function judgeSecretEvent(
  expected: string,
  entry: { event: AuditEvent; line: string },
  where: string,
  secretValue?: string,
): Finding {
  const e = entry.event;
  const bodies = [
    e.requestObject !== undefined ? 'requestObject' : '',
    e.responseObject !== undefined ? 'responseObject' : '',
  ].filter(Boolean);
  const leaked =
    secretValue !== undefined &&
    (entry.line.includes(secretValue) || entry.line.includes(Buffer.from(secretValue).toString('base64')));
  if (e.level !== 'Metadata' || bodies.length > 0 || leaked) {
    return fail(
      expected,
      `${describeEvent(e)}${bodies.length ? `, with ${bodies.join(' and ')}` : ''}${leaked ? ', and the secret value is in the log line' : ''}`,
      {
        where,
        advice:
          e.level === 'Request' || e.level === 'RequestResponse' || bodies.length > 0
            ? 'This event carries the secret itself (base64 in requestObject.data). Fix the policy to level: Metadata for secrets, restart the apiserver so it reads the policy again, and treat this log as containing secrets: delete it.'
            : 'Secrets must be logged at level: Metadata. The apiserver reads the policy only when it starts: after changing the policy file, restart it (move the manifest out of /etc/kubernetes/manifests and back).',
      },
    );
  }
  return pass(expected, `${describeEvent(e)}, no requestObject, no responseObject`, where);
}

async function learnerSecretFinding(view: ClusterView, log: string): Promise<Finding> {
  const expected = `your create of secret ${LAB_NAMESPACE}/${LEARNER_SECRET} logged at Metadata`;
  const { result, argv } = await grepLog(view, `"name":"${LEARNER_SECRET}"`, log);
  const where = `${argv.join(' ')} on the ${NODE} node`;
  const creates = result.exitCode === 0 ? secretCreates(result.stdout, LAB_NAMESPACE, LEARNER_SECRET) : [];
  const latest = creates.at(-1);
  if (!latest) {
    return fail(
      expected,
      result.exitCode === 2
        ? result.stderr.trim() || 'the log cannot be read'
        : 'no create event for it in the audit log',
      {
        where,
        advice: `Create it now that auditing runs: kubectl -n ${LAB_NAMESPACE} create secret generic ${LEARNER_SECRET} --from-literal=password=S3cr3t (if it already exists, delete it first: only a create made while auditing runs is in the log).`,
      },
    );
  }
  return judgeSecretEvent(expected, latest, where);
}

/** Behaviour: a fresh secret, created now, must show up at Metadata without its value. */
async function probeFindings(view: ClusterView, log: string, o: SecretsProbeOptions): Promise<Finding[]> {
  const name = o.probeName();
  const value = o.probeValue();
  const expected = 'a new secret is logged at Metadata, without its value';
  const createArgv = [
    'kubectl',
    '-n',
    LAB_NAMESPACE,
    'create',
    'secret',
    'generic',
    name,
    `--from-literal=probe=${value}`,
  ];
  const created = await view.execOnNode(NODE, createArgv, { timeoutMs: 15_000 });
  if (created.exitCode !== 0) {
    const notFound = /namespaces? "?[\w-]*"? not found/.test(created.stderr);
    return [
      fail(
        expected,
        `creating probe secret ${LAB_NAMESPACE}/${name} failed: ${created.failure ?? created.stderr.trim()}`,
        {
          where: `kubectl create secret on the ${NODE} node`,
          advice: notFound
            ? `The namespace ${LAB_NAMESPACE} is missing (the lab's setup creates it): kubectl create namespace ${LAB_NAMESPACE}.`
            : 'The check could not create its probe secret; see the message.',
        },
      ),
    ];
  }
  try {
    for (let attempt = 1; ; attempt++) {
      const { result, argv } = await grepLog(view, `"name":"${name}"`, log);
      const where = `kubectl -n ${LAB_NAMESPACE} create secret generic ${name} --from-literal=probe=…, then ${argv.join(' ')}`;
      const event = secretCreates(result.exitCode === 0 ? result.stdout : '', LAB_NAMESPACE, name).at(-1);
      if (event) return [judgeSecretEvent(expected, event, where, value)];
      if (attempt >= o.attempts) {
        return [
          fail(expected, 'the probe secret was created, but no create event for it appeared in the audit log', {
            where,
            advice:
              'The policy the apiserver runs does not log secret creates (level None or no matching rule). It reads the policy only at start: after editing the policy file, restart the apiserver.',
          }),
        ];
      }
      await o.sleep(500);
    }
  } finally {
    await view.execOnNode(
      NODE,
      ['kubectl', '-n', LAB_NAMESPACE, 'delete', 'secret', name, '--ignore-not-found', '--wait=false'],
      { timeoutMs: 15_000 },
    );
  }
}

export const secretsLoggedAtMetadata: Check = makeSecretsLoggedAtMetadata();
