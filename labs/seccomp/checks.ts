// Checks of the seccomp lab. Each step looks at three kinds of evidence:
// the pod's field (what was asked for), the OCI spec and /proc/<pid>/status on
// the node (what the runtime really applied: a privileged container or a
// removed annotation look fine in the API and run unconfined), and, where a
// profile should deny something, a syscall that must fail.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { Check } from '../../server/checks/check.js';
import { fail, pass, type MistakeCode } from '../../server/checks/check.js';
import type { ClusterView, ExecResult } from '../../server/checks/cluster-view.js';
import {
  containerOf,
  containerStatusOf,
  describeContainerState,
  describeExec,
  podReady,
  programMissing,
} from '../../server/checks/pod-facts.js';
import type { Finding } from '../../server/protocol.js';
import {
  type LabProfile,
  LAB_PROFILES,
  PROFILES_DIR,
  describeProfile,
  describeWanted,
  effectiveProfile,
  judgeProfile,
  kubeletProfilePath,
  profileDefaultAction,
  sameProfileJson,
  seccompAnnotations,
  parseCrictlInspect,
  runtimeContainerId,
  seccompMode,
  type RuntimeSeccomp,
  type WantedProfile,
} from './seccomp-facts.js';

const NAMESPACE = 'seccomp';

/** crictl inspect prints the whole OCI spec (RuntimeDefault is a long syscall list). */
const NODE_CALL = { timeoutMs: 10_000 };

interface PodUnderTest {
  pod: V1Pod;
  container: V1Container;
  where: string;
}

async function podUnderTest(view: ClusterView, name: string, wanted: WantedProfile): Promise<PodUnderTest | Finding[]> {
  const pod = await view.getPod(NAMESPACE, name);
  const container = pod ? containerOf(pod) : undefined;
  if (pod && container) return { pod, container, where: `pod ${NAMESPACE}/${name}, container ${container.name}` };
  const relative =
    wanted.type === 'Localhost'
      ? ' If kubectl refused it with "localhostProfile: Invalid value ... must be a relative path", write ' +
        `profiles/${wanted.file}: the path is relative to /var/lib/kubelet/seccomp.`
      : '';
  return [
    fail(`pod ${NAMESPACE}/${name} with ${describeWanted(wanted)}`, pod ? 'the pod has no containers' : 'no such pod', {
      where: `kubectl -n ${NAMESPACE} get pod ${name}`,
      advice: `Create the pod from the step's manifest (namespace ${NAMESPACE}, name ${name}).${relative}`,
      code: pod ? 'NO_CONTAINER' : 'NO_POD',
    }),
  ];
}

/** State: the field, as the kubelet will read it. */
async function fieldFindings(
  view: ClusterView,
  target: PodUnderTest,
  wanted: WantedProfile,
): Promise<{ findings: Finding[]; fieldMissing: boolean }> {
  const expected = `${describeWanted(wanted)} on the pod or on container ${target.container.name}`;
  const verdict = judgeProfile(target.pod, target.container, wanted);
  const findings: Finding[] = [];
  let fieldMissing = false;
  if (verdict.ok === true) {
    const { profile, source } = effectiveProfile(target.pod, target.container);
    findings.push(pass(expected, `${describeProfile(profile)} at ${source ?? 'unknown place'}`, target.where));
  } else if (verdict.ok === 'unknown') {
    // Judged below from the node: with seccompDefault the kubelet applies RuntimeDefault without any field.
    fieldMissing = true;
  } else if (verdict.localhostPath !== undefined && wanted.type === 'Localhost') {
    findings.push(await localhostFileFinding(view, target, wanted.file, verdict.localhostPath, verdict, expected));
  } else {
    findings.push(fail(expected, verdict.found, { where: target.where, advice: verdict.advice, code: verdict.code }));
  }
  if (target.container.securityContext?.privileged === true) {
    findings.push(
      fail(`container ${target.container.name} is not privileged`, 'securityContext.privileged: true', {
        where: target.where,
        advice:
          'The container runtime never applies seccomp to a privileged container, whatever seccompProfile says: ' +
          'it runs unconfined (Seccomp: 0). Remove privileged: true and recreate the pod.',
        code: 'PRIVILEGED',
      }),
    );
  }
  return { findings, fieldMissing };
}

/**
 * A Localhost path other than the lab's names a file the kubelet opens on the
 * pod's node. Whether that is a mistake depends on the file: absent (the
 * container cannot be created), another profile, or a copy of the lab's
 * profile put there by the learner (then it works, on that node). So look.
 */
async function localhostFileFinding(
  view: ClusterView,
  target: PodUnderTest,
  wantedFile: LabProfile,
  localhostPath: string,
  verdict: { found: string; advice: string },
  expected: string,
): Promise<Finding> {
  const opened = kubeletProfilePath(localhostPath);
  const node = await podNode(view, target.pod);
  if (!node) {
    return fail(expected, `${verdict.found} (the pod is not on a node yet, so no file was looked at)`, {
      where: target.where,
      advice: verdict.advice,
      code: 'PROFILE_PATH_OTHER',
    });
  }
  const where = `${opened} on node ${node.target}`;
  const text = await view.readNodeFile(node.target, opened, NODE_CALL);
  if (text === undefined) {
    return fail(expected, `${verdict.found}: ${opened} does not exist on node ${node.target}`, {
      where,
      advice: `${verdict.advice} (${opened} is not on node ${node.target}: looked.)`,
      code: 'PROFILE_FILE_MISSING',
    });
  }
  const labTexts = await Promise.all(
    LAB_PROFILES.map(
      async (p) => [p, await view.readNodeFile(node.target, `${PROFILES_DIR}/${p}`, NODE_CALL)] as const,
    ),
  );
  const same = labTexts.find(([, labText]) => labText !== undefined && sameProfileJson(text, labText) === true)?.[0];
  if (same === wantedFile) {
    // Right by behaviour: the runtime loads the same profile. Say where it works.
    return {
      ok: true,
      expected,
      found: `${verdict.found}: ${opened} on node ${node.target} is the same profile as profiles/${wantedFile}`,
      where,
      advice: `This works only on nodes where you put that copy (${node.target}); profiles/${wantedFile} is already on every node of this cluster, so naming it needs no copy.`,
    };
  }
  const what =
    same !== undefined
      ? `the same profile as profiles/${same}`
      : `another profile (defaultAction ${profileDefaultAction(text) ?? 'unreadable: not a JSON profile'})`;
  return fail(expected, `${verdict.found}: ${opened} on node ${node.target} is ${what}`, {
    where,
    advice: `That file is not profiles/${wantedFile}. ${verdict.advice}`,
    code: 'PROFILE_FILE_DIFFERENT',
  });
}

async function podNode(view: ClusterView, pod: V1Pod) {
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) return undefined;
  const nodes = await view.nodes();
  return nodes.find((n) => n.container === nodeName) ?? nodes.find((n) => n.target === nodeName);
}

/** Behaviour of the pod as a whole: running (or, for the violation profile, never started). */
function runningFinding(target: PodUnderTest, wanted: WantedProfile): Finding {
  const expected = `container ${target.container.name} running and ready`;
  const state = describeContainerState(target.pod, target.container.name);
  if (podReady(target.pod)) return pass(expected, state, target.where);
  const status = containerStatusOf(target.pod, target.container.name);
  const message = status?.state?.waiting?.message ?? '';
  let advice = `Wait a few seconds and check again; if it stays like this, look at kubectl -n ${NAMESPACE} describe pod ${target.pod.metadata?.name ?? ''}.`;
  let code: MistakeCode = 'NOT_READY';
  const lab = wanted.type === 'Localhost' ? `, here profiles/${wanted.file}` : '';
  if (/seccomp/i.test(message) && /no such file/i.test(message)) {
    advice = `The runtime found no file at the path in its message (it looked on the node): localhostProfile names a file under /var/lib/kubelet/seccomp${lab}.`;
    code = 'PROFILE_FILE_MISSING';
  } else if (/seccomp/i.test(message) && /cannot load|decod|invalid/i.test(message)) {
    advice = `The runtime opened the profile file but could not use it (see its message): a profile is a JSON file like the lab's${lab}.`;
    code = 'PROFILE_FILE_INVALID';
  } else if (/ImagePull|ErrImage/.test(status?.state?.waiting?.reason ?? '')) {
    advice =
      'The image cannot be pulled: use busybox:1.36 (or nginx:1.27) with imagePullPolicy: IfNotPresent, as the step shows.';
    code = 'IMAGE_PULL';
  }
  return fail(expected, state, { where: target.where, advice, code });
}

interface NodeEvidence {
  findings: Finding[];
  runtime: RuntimeSeccomp | undefined;
  mode: number | undefined;
}

/**
 * What the runtime applied, read on the node that runs the pod: the seccomp
 * section of the OCI spec (crictl inspect) and the Seccomp: line of the
 * container process in /proc. Both, because the spec says what was asked of
 * runc and /proc says what the kernel enforces.
 */
async function nodeEvidence(
  view: ClusterView,
  target: PodUnderTest,
  options: { needPid: boolean },
): Promise<NodeEvidence> {
  const nodeName = target.pod.spec?.nodeName;
  const none: NodeEvidence = { findings: [], runtime: undefined, mode: undefined };
  if (!nodeName) {
    return {
      ...none,
      findings: [
        fail('the pod is scheduled on a node', 'not scheduled yet', { where: target.where, code: 'NOT_SCHEDULED' }),
      ],
    };
  }
  const node = await podNode(view, target.pod);
  if (!node) {
    const nodes = await view.nodes();
    return {
      ...none,
      findings: [
        fail(`node ${nodeName} is one of the lab's nodes`, `known nodes: ${nodes.map((n) => n.container).join(', ')}`, {
          where: target.where,
          code: 'UNKNOWN_NODE',
        }),
      ],
    };
  }
  const status = containerStatusOf(target.pod, target.container.name);
  const id = runtimeContainerId(
    status?.containerID ?? status?.lastState?.terminated?.containerID ?? status?.state?.terminated?.containerID,
  );
  if (!id) {
    if (!options.needPid) return none;
    return {
      ...none,
      findings: [
        fail(
          `a container for ${target.container.name} on node ${node.target}`,
          describeContainerState(target.pod, target.container.name),
          { where: target.where, code: 'NO_RUNTIME_CONTAINER' },
        ),
      ],
    };
  }
  const short = id.slice(0, 13);
  const inspect = await view.execOnNode(node.target, ['crictl', 'inspect', id], NODE_CALL);
  const inspectWhere = `crictl inspect ${short} on node ${node.target}`;
  if (inspect.exitCode !== 0) {
    return {
      ...none,
      findings: [
        fail(`crictl inspect ${short} answers`, describeExec(inspect), {
          where: inspectWhere,
          advice: 'The container may have just been replaced; check again.',
          code: 'RUNTIME_UNREADABLE',
        }),
      ],
    };
  }
  const runtime = parseCrictlInspect(inspect.stdout);
  if (!runtime) {
    return {
      ...none,
      findings: [
        fail(
          `crictl inspect ${short} prints the container's JSON`,
          inspect.stdout.trim() === '' ? 'no output' : `unreadable output: ${inspect.stdout.trim().slice(0, 120)}`,
          {
            where: inspectWhere,
            advice: 'The container may have just been replaced; check again.',
            code: 'RUNTIME_UNREADABLE',
          },
        ),
      ],
    };
  }
  if (!options.needPid || !runtime.pid) return { findings: [], runtime, mode: undefined };

  const procPath = `/proc/${runtime.pid}/status`;
  const procStatus = await view.readNodeFile(node.target, procPath, NODE_CALL);
  const mode = procStatus === undefined ? undefined : seccompMode(procStatus);
  const expected = 'Seccomp: 2 (filter mode) for the container process';
  const where = `${procPath} on node ${node.target} (pid from ${inspectWhere})`;
  const finding =
    mode === 2
      ? pass(expected, 'Seccomp: 2', where)
      : fail(expected, mode === undefined ? `no Seccomp: line (process ${runtime.pid} gone?)` : `Seccomp: ${mode}`, {
          where,
          advice:
            mode === 0
              ? `The kernel applies no filter to this process. ${unconfinedCause(target).text}`
              : 'Check again: the container may have just restarted.',
          code: mode === 0 ? unconfinedCause(target).code : 'PROCESS_GONE',
        });
  return { findings: [finding], runtime, mode };
}

/** What the OCI spec on the node must show for each profile the steps ask for. */
const SPEC_EXPECTATIONS: Record<
  'RuntimeDefault' | LabProfile,
  { text: string; matches: (r: RuntimeSeccomp) => boolean }
> = {
  RuntimeDefault: {
    text: "defaultAction SCMP_ACT_ERRNO with the runtime's allow list",
    matches: (r) => r.defaultAction === 'SCMP_ACT_ERRNO' && r.ruleCount > 0,
  },
  'audit.json': {
    text: 'defaultAction SCMP_ACT_LOG (profiles/audit.json)',
    matches: (r) => r.defaultAction === 'SCMP_ACT_LOG',
  },
  'violation.json': {
    text: 'defaultAction SCMP_ACT_ERRNO and no allowed syscalls (profiles/violation.json)',
    matches: (r) => r.defaultAction === 'SCMP_ACT_ERRNO' && r.ruleCount === 0,
  },
  'fine-grained.json': {
    text: 'defaultAction SCMP_ACT_ERRNO and a rule denying chmod (profiles/fine-grained.json)',
    matches: (r) => r.defaultAction === 'SCMP_ACT_ERRNO' && r.denied.includes('chmod'),
  },
};

/** Why a container runs without a filter, from its pod: the most specific cause first. */
function unconfinedCause(target: PodUnderTest): { text: string; code: MistakeCode } {
  if (target.container.securityContext?.privileged === true) {
    return {
      text: 'The container is privileged, and the runtime never applies seccomp to a privileged container.',
      code: 'PRIVILEGED',
    };
  }
  const { profile } = effectiveProfile(target.pod, target.container);
  if (profile?.type === 'Unconfined')
    return { text: 'Its effective seccompProfile is Unconfined.', code: 'UNCONFINED' };
  if (!profile) {
    return seccompAnnotations(target.pod).length > 0
      ? { text: 'Its only profile is in the removed annotation, which the kubelet ignores.', code: 'ANNOTATION_ONLY' }
      : {
          text: 'It has no seccompProfile, and this kubelet does not default to RuntimeDefault.',
          code: 'NO_SECCOMP_FIELD',
        };
  }
  return { text: 'The runtime did not apply the profile the pod asks for.', code: 'PROFILE_NOT_APPLIED' };
}

function specFinding(target: PodUnderTest, runtime: RuntimeSeccomp | undefined, wanted: WantedProfile): Finding[] {
  if (!runtime) return [];
  const expectation = SPEC_EXPECTATIONS[wanted.type === 'RuntimeDefault' ? 'RuntimeDefault' : wanted.file];
  const expected = `OCI spec seccomp: ${expectation.text}`;
  const where = `crictl inspect (info.runtimeSpec.linux.seccomp) of ${target.where}`;
  if (!runtime.hasSeccomp) {
    return [
      fail(expected, 'no seccomp section in the OCI spec: the container runs unconfined', {
        where,
        advice: unconfinedCause(target).text,
        code: unconfinedCause(target).code,
      }),
    ];
  }
  const found =
    `defaultAction ${runtime.defaultAction ?? '(none)'}, ${runtime.ruleCount} syscall names in rules` +
    (runtime.denied.length > 0 ? `, denied: ${runtime.denied.join(', ')}` : '');
  return expectation.matches(runtime)
    ? [pass(expected, found, where)]
    : [
        fail(expected, found, {
          where,
          advice:
            "The runtime loaded another profile than the step asks for: compare the pod's seccompProfile with the step.",
          code: 'OTHER_PROFILE_LOADED',
        }),
      ];
}

function running(target: PodUnderTest): boolean {
  return containerStatusOf(target.pod, target.container.name)?.state?.running !== undefined;
}

function exec(view: ClusterView, target: PodUnderTest, argv: string[]): Promise<ExecResult> {
  return view.execInPod(
    { namespace: NAMESPACE, pod: target.pod.metadata?.name ?? '', container: target.container.name },
    argv,
  );
}

const denied = (result: ExecResult): boolean =>
  result.exitCode !== 0 && /Operation not permitted/i.test(`${result.stderr}\n${result.stdout}`);

/** Why unshare worked: no filter at all, or RuntimeDefault with CAP_SYS_ADMIN (which it then allows). */
function unshareAllowedCause(target: PodUnderTest, node: NodeEvidence): { text: string; code: MistakeCode } {
  const added = target.container.securityContext?.capabilities?.add ?? [];
  if (node.mode === 2 && added.some((c) => /^(CAP_)?(SYS_ADMIN|ALL)$/i.test(c))) {
    return {
      text: 'RuntimeDefault allows unshare to a container that has CAP_SYS_ADMIN: remove it from capabilities.add.',
      code: 'SYS_ADMIN_ALLOWS_UNSHARE',
    };
  }
  const cause = unconfinedCause(target);
  return { text: `Nothing filters this container's syscalls. ${cause.text}`, code: cause.code };
}

/** Step 1: RuntimeDefault, by field or by the kubelet's seccompDefault. */
export const runtimeDefault: Check = (view) => confinedByRuntimeDefault(view, 'default-pod');

/** Step 5: the same pod, once privileged: true (which switches seccomp off) is gone. */
export const privilegedDropped: Check = (view) => confinedByRuntimeDefault(view, 'legacy-pod');

async function confinedByRuntimeDefault(view: ClusterView, podName: string): Promise<Finding[]> {
  const wanted: WantedProfile = { type: 'RuntimeDefault' };
  const target = await podUnderTest(view, podName, wanted);
  if (Array.isArray(target)) return target;
  const field = await fieldFindings(view, target, wanted);
  const findings = [...field.findings, runningFinding(target, wanted)];
  if (!running(target)) return findings;

  // The node's docker exec round trips and the behaviour probe are independent: run them together.
  const [node, unshare] = await Promise.all([
    nodeEvidence(view, target, { needPid: true }),
    exec(view, target, ['unshare', '-U', 'true']),
  ]);
  if (field.fieldMissing) {
    // No field: the pod is only confined if this kubelet runs with seccompDefault: true.
    const expected = `${describeWanted(wanted)} on the pod or on container ${target.container.name}`;
    findings.push(
      node.mode === 2 && node.runtime?.hasSeccomp
        ? pass(
            expected,
            'no field, but the kubelet applied its default (seccompDefault: true) and the runtime shows a filter',
            target.where,
          )
        : fail(expected, 'no seccompProfile field, and this kubelet does not default to RuntimeDefault', {
            where: target.where,
            advice:
              'Without the field (and without seccompDefault: true in the kubelet configuration) the container runs Unconfined. ' +
              'Add securityContext.seccompProfile: {type: RuntimeDefault} to the pod spec and recreate the pod.',
            code: 'NO_SECCOMP_FIELD',
          }),
    );
  }
  findings.push(...node.findings, ...specFinding(target, node.runtime, wanted));

  // Behaviour: creating a user namespace is the first move of many container
  // escapes; RuntimeDefault denies unshare to a container without CAP_SYS_ADMIN.
  const expected = 'unshare -U (new user namespace) fails with "Operation not permitted"';
  const where = `kubectl -n ${NAMESPACE} exec ${podName} -- unshare -U true`;
  if (denied(unshare)) findings.push(pass(expected, (unshare.stderr || unshare.stdout).trim(), where));
  else if (programMissing(unshare))
    findings.push(
      fail(expected, describeExec(unshare), {
        where,
        advice: 'Use the busybox:1.36 image from the step: it has unshare.',
        code: 'NO_UNSHARE_IN_IMAGE',
      }),
    );
  else {
    findings.push(
      fail(
        expected,
        unshare.exitCode === 0 ? 'unshare succeeded: the container can create user namespaces' : describeExec(unshare),
        {
          where,
          advice:
            unshare.exitCode === 0
              ? unshareAllowedCause(target, node).text
              : 'unshare failed for another reason than seccomp; see the message.',
          code: unshare.exitCode === 0 ? unshareAllowedCause(target, node).code : 'UNSHARE_FAILED_OTHERWISE',
        },
      ),
    );
  }
  return findings;
}

/** Step 2: the audit profile (SCMP_ACT_LOG): everything allowed, everything logged. */
export const auditProfile: Check = async (view) => {
  const wanted: WantedProfile = { type: 'Localhost', file: 'audit.json' };
  const target = await podUnderTest(view, 'audit-pod', wanted);
  if (Array.isArray(target)) return target;
  const findings = [...(await fieldFindings(view, target, wanted)).findings, runningFinding(target, wanted)];
  if (!running(target)) return findings;
  const node = await nodeEvidence(view, target, { needPid: true });
  findings.push(...node.findings, ...specFinding(target, node.runtime, wanted));
  return findings;
};

/** Step 3: the violation profile (SCMP_ACT_ERRNO for everything): the container can never start. */
export const violationProfile: Check = async (view) => {
  const wanted: WantedProfile = { type: 'Localhost', file: 'violation.json' };
  const target = await podUnderTest(view, 'violation-pod', wanted);
  if (Array.isArray(target)) return target;
  const field = await fieldFindings(view, target, wanted);
  const findings = [...field.findings];
  const name = target.container.name;
  const state = describeContainerState(target.pod, name);
  const status = containerStatusOf(target.pod, name);
  const expected = `container ${name} never starts (the runtime cannot even exec the entrypoint)`;
  const waiting = status?.state?.waiting;
  const message = `${waiting?.message ?? ''} ${status?.lastState?.terminated?.message ?? ''} ${status?.state?.terminated?.message ?? ''}`;

  if (podReady(target.pod) || status?.state?.running) {
    findings.push(
      fail(expected, state, {
        where: target.where,
        advice:
          'A container that runs is not under profiles/violation.json: with every syscall denied, not even the entrypoint can be executed.',
        code: 'CONTAINER_RUNS',
      }),
    );
    return findings;
  }
  if (/seccomp/i.test(message) && /no such file/i.test(message)) {
    findings.push(
      fail(expected, state, {
        where: target.where,
        advice:
          'It fails, but because the runtime found no profile file at that path on the node, not because of the profile. localhostProfile is relative to /var/lib/kubelet/seccomp: profiles/violation.json.',
        code: 'PROFILE_FILE_MISSING',
      }),
    );
    return findings;
  }
  if (/seccomp/i.test(message) && /cannot load|decod|invalid/i.test(message)) {
    findings.push(
      fail(expected, state, {
        where: target.where,
        advice:
          'It fails, but because the runtime could not use the profile file (see its message), not because the profile denies everything. Use profiles/violation.json.',
        code: 'PROFILE_FILE_INVALID',
      }),
    );
    return findings;
  }
  if (
    /ImagePull|ErrImage/.test(waiting?.reason ?? '') ||
    !status ||
    (waiting?.reason === 'ContainerCreating' && !status.lastState?.terminated)
  ) {
    findings.push(
      fail(expected, state, {
        where: target.where,
        advice: /ImagePull|ErrImage/.test(waiting?.reason ?? '')
          ? 'The image cannot be pulled: use busybox:1.36 with imagePullPolicy: IfNotPresent.'
          : 'The container has not been tried yet; check again in a few seconds.',
        code: /ImagePull|ErrImage/.test(waiting?.reason ?? '') ? 'IMAGE_PULL' : 'NOT_TRIED_YET',
      }),
    );
    return findings;
  }
  const startFailed =
    status.restartCount > 0 ||
    status.lastState?.terminated !== undefined ||
    /StartError|RunContainerError|CrashLoopBackOff|CreateContainerError/.test(
      `${waiting?.reason ?? ''} ${status.state?.terminated?.reason ?? ''}`,
    );
  const last = status.lastState?.terminated ?? status.state?.terminated;
  const lastText = last
    ? `; last attempt: ${last.reason ?? 'terminated'} (exit code ${last.exitCode})${last.message ? `: ${last.message}` : ''}`
    : '';
  findings.push(
    startFailed
      ? pass(expected, `${state}${lastText}`, target.where)
      : fail(expected, state, {
          where: target.where,
          advice: 'Check again in a few seconds: the runtime has not tried to start it yet.',
          code: 'NOT_TRIED_YET',
        }),
  );
  // The spec of the failed container shows the profile that was loaded.
  const node = await nodeEvidence(view, target, { needPid: false });
  findings.push(...node.findings, ...specFinding(target, node.runtime, wanted));
  return findings;
};

/** Step 4: the fine-grained profile: the workload runs, chmod is denied. */
export const fineGrainedProfile: Check = async (view) => {
  const wanted: WantedProfile = { type: 'Localhost', file: 'fine-grained.json' };
  const target = await podUnderTest(view, 'fine-grained-pod', wanted);
  if (Array.isArray(target)) return target;
  const findings = [...(await fieldFindings(view, target, wanted)).findings, runningFinding(target, wanted)];
  if (!running(target)) return findings;
  // Behaviour, on a file the container owns, so that only seccomp can say no:
  // creating it must work (allowed syscalls), chmod on it must not.
  const probe = '/tmp/.hl-seccomp-check';
  const [node, result] = await Promise.all([
    nodeEvidence(view, target, { needPid: true }),
    exec(view, target, ['sh', '-c', `touch ${probe} || exit 3; chmod 600 ${probe}; rc=$?; rm -f ${probe}; exit $rc`]),
  ]);
  findings.push(...node.findings, ...specFinding(target, node.runtime, wanted));

  const where = `kubectl -n ${NAMESPACE} exec fine-grained-pod -- sh -c 'touch ${probe} && chmod 600 ${probe}'`;
  findings.push(
    result.exitCode === 3 || result.exitCode === null
      ? fail('touch (an allowed syscall) works in the container', describeExec(result), {
          where,
          advice:
            result.exitCode === null
              ? 'Use the busybox:1.36 image from the step (it has sh).'
              : 'Creating a file should be allowed by the profile; see the message.',
          code: result.exitCode === null ? 'NO_SHELL_IN_IMAGE' : 'TOUCH_DENIED',
        })
      : pass('touch (an allowed syscall) works in the container', 'file created', where),
  );
  if (result.exitCode !== 3 && result.exitCode !== null) {
    const expected = 'chmod on the container\'s own file fails with "Operation not permitted"';
    findings.push(
      denied(result)
        ? pass(expected, (result.stderr || result.stdout).trim(), where)
        : fail(expected, result.exitCode === 0 ? 'chmod succeeded' : describeExec(result), {
            where,
            advice:
              'chmod is allowed, so this container is not under profiles/fine-grained.json (RuntimeDefault and Unconfined both allow chmod).',
            code: 'CHMOD_ALLOWED',
          }),
    );
  }
  return findings;
};
