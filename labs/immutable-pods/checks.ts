// Checks of the immutable-pods lab. Behaviour is the proof (the write is
// tried and must fail, the removed shell must be gone); state explains why.
// The common wrong answers leave no trace in the stored pod — the API server
// drops unknown fields such as `readonlyRootFilesystem` — so they are
// recognised from what does survive: the pod is writable, and kubectl's
// last-applied-configuration annotation still holds what the learner wrote.
import type { CoreV1Event, V1Container, V1Pod } from '@kubernetes/client-node';
import type { Check } from '../../server/checks/check.js';
import { fail, pass, type MistakeCode } from '../../server/checks/check.js';
import type { ClusterView, ExecResult } from '../../server/checks/cluster-view.js';
import {
  containerStatusOf,
  describeContainerState,
  describeExec,
  eventsOfThisPod,
  podReady,
  programMissing,
} from '../../server/checks/pod-facts.js';
import type { Finding } from '../../server/protocol.js';

export const NAMESPACE = 'immutable-pods';
export const RO_POD = 'ro-nginx';
export const PROBE_POD = 'immutable';

/** One write outside any volume (must fail) and one into the nginx cache emptyDir (must work). */
export const ROOT_PROBE = '/hl-immutable-probe';
export const CACHE_PROBE = '/var/cache/nginx/.hl-immutable-probe';
export const WRITE_ARGV = ['touch', ROOT_PROBE, CACHE_PROBE];
/** The removed programs must not start any more. */
export const BASH_ARGV = ['bash', '-c', 'true'];
export const TOUCH_ARGV = ['touch', '/tmp/hl-immutable-probe'];
/**
 * A shell in the debug container, reading nginx's config through PID 1 (nginx's
 * master process, with --target): proof that `kubectl debug` walks around the trick.
 */
export const NGINX_CONF_VIA_PID1 = '/proc/1/root/etc/nginx/nginx.conf';
export const DEBUG_PROBE_ARGV = ['sh', '-c', `echo shell works; ls ${NGINX_CONF_VIA_PID1}`];

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const STRICT_DECODING_ADVICE =
  'If `kubectl apply` refused the manifest with "strict decoding error: unknown field …readonlyRootFilesystem", ' +
  "the field name is wrong: it is readOnlyRootFilesystem (capital O), under the container's securityContext.";

// ---- shared readings -----------------------------------------------------------

/** The nginx container: by name, else by image, else the first. */
export function nginxContainer(pod: V1Pod): V1Container | undefined {
  const containers = pod.spec?.containers ?? [];
  return (
    containers.find((c) => c.name === 'nginx') ??
    containers.find((c) => /(^|\/)nginx(:|@|$)/.test(c.image ?? '')) ??
    containers[0]
  );
}

function isRunning(pod: V1Pod, container: string): boolean {
  return containerStatusOf(pod, container)?.state?.running !== undefined;
}

/** What the learner sent, when kubectl apply kept a copy (it does, unknown fields included). */
export function lastApplied(pod: V1Pod): unknown {
  const raw = pod.metadata?.annotations?.[LAST_APPLIED];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Paths (a.b[0].c) of keys matching `test` anywhere in a JSON value. */
function findKeys(value: unknown, test: (key: string) => boolean, at = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => findKeys(v, test, `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, Json>).flatMap(([k, v]) => [
    ...(test(k) ? [at ? `${at}.${k}` : k] : []),
    ...findKeys(v, test, at ? `${at}.${k}` : k),
  ]);
}

/** Names the wrong spelling or place of readOnlyRootFilesystem from the applied manifest. */
export function readOnlyMistake(pod: V1Pod): { advice: string; code: MistakeCode } | undefined {
  const applied = lastApplied(pod);
  if (applied === undefined) return undefined;
  const similar = findKeys(applied, (k) => k.toLowerCase() === 'readonlyrootfilesystem');
  const misspelt = similar.find((p) => !p.endsWith('.readOnlyRootFilesystem'));
  if (misspelt) {
    return {
      advice: `Your manifest says ${misspelt.split('.').pop() ?? ''} (at ${misspelt}); the field is readOnlyRootFilesystem, with a capital O. The API server drops fields it does not know, so the pod was created without it.`,
      code: 'FIELD_MISSPELT',
    };
  }
  const podLevel = similar.find((p) => p === 'spec.securityContext.readOnlyRootFilesystem');
  if (podLevel) {
    return {
      advice:
        "Your manifest sets readOnlyRootFilesystem in the pod-level spec.securityContext. That object has no such field (the API server drops it): put it in each container's securityContext.",
      code: 'FIELD_AT_POD_LEVEL',
    };
  }
  return undefined;
}

async function execFinding(
  view: ClusterView,
  pod: V1Pod,
  container: string,
  argv: string[],
): Promise<{ result: ExecResult; where: string }> {
  const name = pod.metadata?.name ?? '';
  const result = await view.execInPod({ namespace: NAMESPACE, pod: name, container }, argv);
  return { result, where: `kubectl -n ${NAMESPACE} exec ${name} -c ${container} -- ${argv.join(' ')}` };
}

function missingPod(name: string, advice: string, code: MistakeCode): Finding {
  return fail(`pod ${NAMESPACE}/${name} exists`, 'no such pod', {
    where: `kubectl -n ${NAMESPACE} get pod ${name}`,
    advice,
    code,
  });
}

/** nginx's fatal lines ("[emerg] mkdir() ... failed (30: Read-only file system)"). */
function nginxErrors(logs: string): string[] {
  return logs
    .split('\n')
    .filter((l) => /\[(emerg|crit|alert)\]/.test(l))
    .map((l) => l.trim());
}

/** What to do about nginx's fatal errors, in the learner's terms. */
export function adviceForNginxErrors(
  errors: string[],
  mounts: string[],
): { advice: string; code: MistakeCode } | undefined {
  const readOnly = [
    ...new Set(
      errors
        .filter((e) => /Read-only file system/.test(e))
        .map((e) => /"([^"]+)"/.exec(e)?.[1])
        .filter((p): p is string => p !== undefined),
    ),
  ];
  if (readOnly.length > 0) {
    return {
      advice:
        `nginx cannot write ${readOnly.join(' and ')} on the read-only root, so it exits. ` +
        'Mount a writable emptyDir at /var/cache/nginx and another at /var/run (where it writes nginx.pid)' +
        (mounts.length > 0 && mounts.every((m) => m.startsWith('/var/log'))
          ? ': an emptyDir on /var/log alone, as in the blog, is not enough.'
          : '.'),
      code: 'NGINX_CANNOT_WRITE',
    };
  }
  if (errors.some((e) => /\/var\/log\/nginx\/.*No such file or directory/.test(e)) && mounts.includes('/var/log')) {
    return {
      advice:
        "The emptyDir mounted on /var/log (the blog's) hides the image's /var/log/nginx directory, so nginx cannot open its error log and exits. " +
        'Drop that volume (nginx logs to stdout) or mount it at /var/log/nginx, and mount emptyDirs at /var/cache/nginx and /var/run instead.',
      code: 'LOG_DIR_HIDDEN',
    };
  }
  return errors.length > 0
    ? {
        advice: 'nginx exits at start-up: the log line above names the file or directory it needs.',
        code: 'NGINX_EXITS',
      }
    : undefined;
}

/** Exec refused because the container is between two restarts. */
function restarting(result: ExecResult): boolean {
  return result.exitCode === null && /container not found|not running|is waiting to start/i.test(result.failure ?? '');
}

// ---- step 1: read-only root filesystem -----------------------------------------

export const readOnlyRoot: Check = async (view) => {
  const pod = await view.getPod(NAMESPACE, RO_POD);
  if (!pod)
    return [
      missingPod(
        RO_POD,
        `Create it from your manifest (kubectl apply -f ro-nginx.yaml). ${STRICT_DECODING_ADVICE}`,
        'NO_POD',
      ),
    ];
  const container = nginxContainer(pod);
  if (!container)
    return [
      fail('a container running nginx', 'the pod has no containers', {
        where: 'spec.containers',
        code: 'NO_CONTAINER',
      }),
    ];
  const findings: Finding[] = [];
  const field = `spec.containers[${container.name}].securityContext.readOnlyRootFilesystem`;
  const mistake = readOnlyMistake(pod);

  // State: the field, where the kubelet reads it.
  const value = container.securityContext?.readOnlyRootFilesystem;
  if (value === true) {
    findings.push(pass(`${field}: true`, 'true', field));
  } else {
    findings.push(
      fail(`${field}: true`, value === false ? 'false' : 'field missing on the stored pod', {
        where: field,
        advice:
          mistake?.advice ??
          (value === false
            ? 'Set it to true.'
            : 'Add securityContext: {readOnlyRootFilesystem: true} to the nginx container (not the pod). If you wrote it, check the spelling: the API server silently drops unknown fields.'),
        code: mistake?.code ?? (value === false ? 'READ_ONLY_FALSE' : 'READ_ONLY_MISSING'),
      }),
    );
  }

  // nginx must still start (it writes to /var/cache/nginx and /var/run) and stay up.
  const running = isRunning(pod, container.name);
  const restarts = containerStatusOf(pod, container.name)?.restartCount ?? 0;
  // The service-account token mount is added by the API server, not by the learner.
  const mounts = (container.volumeMounts ?? [])
    .map((m) => m.mountPath)
    .filter((m) => !m.startsWith('/var/run/secrets/'));
  let errors: string[] = [];
  if (!podReady(pod) || restarts > 0) {
    const logs = `${await view.podLogs(NAMESPACE, RO_POD, { container: container.name, previous: true, tailLines: 20 })}\n${
      running ? '' : await view.podLogs(NAMESPACE, RO_POD, { container: container.name, tailLines: 20 })
    }`;
    errors = nginxErrors(logs);
  }
  if (podReady(pod) && errors.length === 0) {
    findings.push(
      pass(
        `container ${container.name} running and ready`,
        describeContainerState(pod, container.name),
        'status.containerStatuses',
      ),
    );
  } else {
    const nginxAdvice = adviceForNginxErrors(errors, mounts);
    findings.push(
      fail(
        `container ${container.name} running and ready`,
        `${describeContainerState(pod, container.name)}${errors[0] ? `; log: ${errors[0]}` : ''}`,
        {
          where: 'status.containerStatuses',
          advice:
            nginxAdvice?.advice ??
            'Wait a few seconds and check again; if it stays like this, `kubectl -n immutable-pods describe pod ro-nginx` says why.',
          code: nginxAdvice?.code ?? 'NOT_READY',
        },
      ),
    );
  }

  if (!running) {
    findings.push(
      fail('writing to / fails with "Read-only file system"', 'not tested: the container is not running', {
        where: 'kubectl exec',
        code: 'NOT_RUNNING',
      }),
    );
    return findings;
  }

  // Behaviour: the attack (writing into the image's filesystem) must fail and
  // the emptyDir must take the write. One `touch` of both paths does both in
  // a single exec: it reports each file it cannot touch on stderr.
  const { result, where } = await execFinding(view, pod, container.name, WRITE_ARGV);
  if (restarting(result) || result.exitCode === null) {
    findings.push(
      fail(
        'writing to / fails with "Read-only file system"',
        restarting(result) ? 'not tested: the container is restarting' : describeExec(result),
        { where, code: restarting(result) ? 'NOT_RUNNING' : 'EXEC_FAILED' },
      ),
    );
    return findings;
  }
  const complaint = (path: string) =>
    result.stderr
      .split('\n')
      .find((line) => line.includes(`'${path}'`))
      ?.trim();
  const rootComplaint = complaint(ROOT_PROBE);
  if (rootComplaint && /Read-only file system/.test(rootComplaint)) {
    findings.push(pass('writing to / fails with "Read-only file system"', rootComplaint, where));
  } else if (!rootComplaint) {
    findings.push(
      fail('writing to / fails with "Read-only file system"', 'the write succeeded: the root filesystem is writable', {
        where,
        advice:
          mistake?.advice ??
          'An attacker in this container can still drop tools into the image filesystem. Set readOnlyRootFilesystem: true in the container securityContext.',
        code: mistake?.code ?? 'ROOT_WRITABLE',
      }),
    );
  } else {
    findings.push(
      fail('writing to / fails with "Read-only file system"', rootComplaint, { where, code: 'WRITE_FAILED_OTHERWISE' }),
    );
  }
  const cacheComplaint = complaint(CACHE_PROBE);
  findings.push(
    cacheComplaint === undefined
      ? pass('writing into /var/cache/nginx (an emptyDir) works', `no error for ${CACHE_PROBE}`, where)
      : fail('writing into /var/cache/nginx (an emptyDir) works', cacheComplaint, {
          where,
          advice: 'Mount a writable emptyDir at /var/cache/nginx: nginx keeps its temp files there.',
          code: 'CACHE_NOT_WRITABLE',
        }),
  );
  return findings;
};

// ---- step 2: the startup-probe trick -------------------------------------------

const SHELLS = /^(\/usr)?(\/bin\/)?(sh|bash|dash|ash)$/;

/** Judges the probe's exec command: a shell with -c and a script, or rm itself. */
export function judgeProbeCommand(command: string[] | undefined): {
  ok: boolean;
  found: string;
  advice?: string;
  code?: MistakeCode;
} {
  const found = command === undefined ? 'no startupProbe.exec.command' : JSON.stringify(command);
  if (!command || command.length === 0) {
    return {
      ok: false,
      found,
      advice:
        'Add a startupProbe with exec.command: ["sh", "-c", "rm -f /bin/bash /bin/touch"] to the nginx container.',
      code: 'NO_PROBE',
    };
  }
  const [program = '', flag = '', ...rest] = command;
  if (SHELLS.test(program)) {
    if (flag === 'c' || flag === '- c') {
      return {
        ok: false,
        found,
        advice:
          'The second item is "c", not "-c" (the blog wrote `- sh` / `- c`). sh then looks for a script file named "c", fails, the probe fails and the kubelet restarts the container forever. Write command: ["sh", "-c", "rm -f /bin/bash /bin/touch"].',
        code: 'PROBE_C_NOT_DASH_C',
      };
    }
    if (!/^-[a-z]*c[a-z]*$/.test(flag)) {
      return {
        ok: false,
        found,
        advice: `A shell runs a command string only after -c; the second item is ${JSON.stringify(flag)}.`,
        code: 'PROBE_NO_DASH_C',
      };
    }
    const script = rest.join(' ');
    if (!/\brm\b/.test(script))
      return {
        ok: false,
        found,
        advice: 'The probe script must remove the programs with rm.',
        code: 'PROBE_WITHOUT_RM',
      };
    return { ok: true, found };
  }
  if (/(^|\/)rm$/.test(program)) return { ok: true, found };
  return { ok: false, found, advice: 'The probe must run rm, directly or through sh -c.', code: 'PROBE_WITHOUT_RM' };
}

function probeEventMessages(events: CoreV1Event[]): string[] {
  return events
    .filter((e) => e.reason === 'Unhealthy' && /Startup probe failed/.test(e.message ?? ''))
    .map((e) => (e.message ?? '').trim());
}

export const startupProbeRemovesShell: Check = async (view) => {
  const pod = await view.getPod(NAMESPACE, PROBE_POD);
  if (!pod)
    return [
      missingPod(PROBE_POD, 'Create the pod with the startup probe (kubectl apply -f immutable.yaml).', 'NO_POD'),
    ];
  const container = nginxContainer(pod);
  if (!container)
    return [
      fail('a container running nginx', 'the pod has no containers', {
        where: 'spec.containers',
        code: 'NO_CONTAINER',
      }),
    ];
  const findings: Finding[] = [];
  const where = `spec.containers[${container.name}].startupProbe.exec.command`;

  const judged = judgeProbeCommand(container.startupProbe?.exec?.command);
  findings.push(
    judged.ok
      ? pass('a startup probe that runs rm (e.g. ["sh", "-c", "rm -f /bin/bash /bin/touch"])', judged.found, where)
      : fail('a startup probe that runs rm (e.g. ["sh", "-c", "rm -f /bin/bash /bin/touch"])', judged.found, {
          where,
          ...(judged.advice ? { advice: judged.advice } : {}),
          ...(judged.code ? { code: judged.code } : {}),
        }),
  );

  const status = containerStatusOf(pod, container.name);
  if (status?.started === true && podReady(pod)) {
    findings.push(
      pass(
        'the startup probe succeeded (container started and ready)',
        describeContainerState(pod, container.name),
        'status.containerStatuses',
      ),
    );
  } else {
    const failures = probeEventMessages(eventsOfThisPod(pod, await view.eventsFor(NAMESPACE, PROBE_POD)));
    const lastFailure = failures[failures.length - 1];
    // rm cannot delete from a read-only root: the two techniques of this lab exclude each other.
    const readOnlyRoot =
      lastFailure !== undefined &&
      /Read-only file system/.test(lastFailure) &&
      container.securityContext?.readOnlyRootFilesystem === true;
    findings.push(
      fail(
        'the startup probe succeeded (container started and ready)',
        `${describeContainerState(pod, container.name)}${lastFailure ? `; event: ${lastFailure}` : ''}`,
        {
          where: 'status.containerStatuses',
          advice: readOnlyRoot
            ? 'The container has readOnlyRootFilesystem: true, so rm cannot delete anything and the probe fails forever. The startup-probe trick needs a writable root: drop readOnlyRootFilesystem for this pod (step 1 and this step exclude each other).'
            : (judged.advice ??
              (lastFailure
                ? 'The probe command fails, so the kubelet keeps restarting the container. Run the same command by hand with kubectl exec to see why.'
                : 'The probe has not succeeded yet: wait a few seconds (initialDelaySeconds + periodSeconds) and check again.')),
          code: readOnlyRoot
            ? 'PROBE_ON_READ_ONLY_ROOT'
            : (judged.code ?? (lastFailure ? 'PROBE_FAILS' : 'PROBE_NOT_YET')),
        },
      ),
    );
  }

  if (!isRunning(pod, container.name)) {
    findings.push(
      fail('bash can no longer be started in the container', 'not tested: the container is not running', {
        where: 'kubectl exec',
        code: 'NOT_RUNNING',
      }),
    );
    return findings;
  }
  const [bash, touch] = await Promise.all([
    execFinding(view, pod, container.name, BASH_ARGV),
    execFinding(view, pod, container.name, TOUCH_ARGV),
  ]);
  for (const [name, probe] of [
    ['bash', bash],
    ['touch', touch],
  ] as const) {
    const expected = `${name} can no longer be started in the container`;
    findings.push(
      programMissing(probe.result)
        ? pass(
            expected,
            (probe.result.failure ?? probe.result.stderr).trim().split('\n')[0] ?? 'not found',
            probe.where,
          )
        : fail(
            expected,
            probe.result.exitCode === 0 ? `${name} ran (exit code 0): it is still there` : describeExec(probe.result),
            {
              where: probe.where,
              advice: `The probe script must remove /bin/${name}: rm -f /bin/bash /bin/touch.${
                judged.ok
                  ? ' If you changed the probe, delete and re-create the pod: probes of a running pod cannot be edited.'
                  : ''
              }`,
              code: name === 'bash' ? 'BASH_STILL_THERE' : 'TOUCH_STILL_THERE',
            },
          ),
    );
  }
  return findings;
};

// ---- step 3: the limits of the trick -----------------------------------------------

/** One ephemeral container of the pod with what the kubelet says about it. */
export interface DebugContainer {
  name: string;
  image: string;
  target: string | undefined;
  running: boolean;
  /** "running", "terminated (exit code 0)", "waiting: ...", "no status yet". */
  state: string;
}

export function debugContainers(pod: V1Pod): DebugContainer[] {
  return (pod.spec?.ephemeralContainers ?? []).map((c) => {
    const state = pod.status?.ephemeralContainerStatuses?.find((s) => s.name === c.name)?.state;
    return {
      name: c.name,
      image: c.image ?? 'no image',
      target: c.targetContainerName,
      running: state?.running !== undefined,
      state: state?.running
        ? 'running'
        : state?.terminated
          ? `terminated (exit code ${state.terminated.exitCode})`
          : state?.waiting
            ? `waiting: ${state.waiting.reason ?? ''}${state.waiting.message ? ` (${state.waiting.message})` : ''}`
            : 'no status yet',
    };
  });
}

/**
 * Which ephemeral container proves the step, and why that one. Ephemeral
 * containers can never be removed or restarted, so a learner whose first
 * attempt exited (or lacked --target) adds another with a new -c name, as the
 * advice says: any running one that targets nginx proves the bypass, and the
 * newest is what they just made. Only when none qualifies is the newest
 * attempt judged, so the finding is about what the learner did last.
 */
export function chooseDebugContainer(
  all: DebugContainer[],
  target: string,
): { chosen: DebugContainer; why: string } | undefined {
  const newestFirst = [...all].reverse();
  const others = (chosen: DebugContainer) => {
    const rest = all
      .filter((c) => c !== chosen)
      .map((c) => `${c.name}: ${c.target ? `→ ${c.target}, ` : ''}${c.state}`);
    return rest.length > 0 ? `; also in the pod: ${rest.join('; ')}` : '';
  };
  const proving = newestFirst.find((c) => c.running && c.target === target);
  if (proving) {
    return {
      chosen: proving,
      why: `judged: ${proving.name}, the newest running one that targets ${target}${others(proving)}`,
    };
  }
  const newest = newestFirst.find((c) => c.target === target) ?? newestFirst.find((c) => c.running) ?? newestFirst[0];
  if (!newest) return undefined;
  return {
    chosen: newest,
    why: `judged: ${newest.name}, the newest ${newest.target === target ? `one that targets ${target}` : newest.running ? 'running one' : 'one'}${others(newest)}`,
  };
}

/** `kubectl debug --copy-to` makes a second pod with a debug container instead of touching this one. */
function debugCopies(pods: V1Pod[]): string[] {
  return pods
    .filter((p) => p.metadata?.name !== PROBE_POD && p.metadata?.name !== RO_POD)
    .filter((p) => (p.spec?.containers.length ?? 0) > 1 && p.spec?.containers.some((c) => /nginx/.test(c.image ?? '')))
    .map((p) => p.metadata?.name ?? '');
}

const DEBUG_COMMAND = (target: string, name: string) =>
  `kubectl -n ${NAMESPACE} debug ${PROBE_POD} --image=busybox:1.36 --image-pull-policy=IfNotPresent --target=${target} -c ${name} -- sleep 3600`;

/** A name kubectl debug will accept: ephemeral container names cannot be reused. */
function freeName(all: DebugContainer[]): string {
  const used = new Set(all.map((c) => c.name));
  if (!used.has('debugger')) return 'debugger';
  let n = 2;
  while (used.has(`debugger-${n}`)) n += 1;
  return `debugger-${n}`;
}

export const debugBypassesTrick: Check = async (view) => {
  const pod = await view.getPod(NAMESPACE, PROBE_POD);
  if (!pod)
    return [
      missingPod(PROBE_POD, 'This step uses the pod from the previous step; re-create it if you deleted it.', 'NO_POD'),
    ];
  const target = nginxContainer(pod)?.name ?? 'nginx';
  const all = debugContainers(pod);
  const where = 'spec.ephemeralContainers';
  const choice = chooseDebugContainer(all, target);
  if (!choice) {
    const copies = debugCopies(await view.listPods(NAMESPACE));
    return [
      fail('an ephemeral debug container in pod immutable (kubectl debug)', 'none', {
        where,
        advice:
          copies.length > 0
            ? `kubectl debug --copy-to made a new pod (${copies.join(', ')}) instead: the running pod immutable, whose bash the probe removed, is untouched. This step is about adding an ephemeral container to the running pod: ${DEBUG_COMMAND(target, 'debugger')}`
            : DEBUG_COMMAND(target, 'debugger'),
        code: copies.length > 0 ? 'DEBUG_COPY_NOT_EPHEMERAL' : 'NO_DEBUG_CONTAINER',
      }),
    ];
  }
  const { chosen, why } = choice;
  const findings: Finding[] = [];
  const expectedTarget = `a debug container that targets ${target} (shares its processes)`;
  findings.push(
    chosen.target === target
      ? pass(expectedTarget, `${chosen.name} (${chosen.image}) → ${target}; ${why}`, where)
      : fail(
          expectedTarget,
          `${chosen.name} has ${chosen.target ? `targetContainerName ${chosen.target}` : 'no targetContainerName'}; ${why}`,
          {
            where,
            advice: `Add --target=${target}: without it the debug container cannot see nginx's processes or, through /proc/1/root, its files. An ephemeral container cannot be changed: add a new one (${DEBUG_COMMAND(target, freeName(all))}).`,
            code: 'DEBUG_NOT_TARGETED',
          },
        ),
  );
  if (!chosen.running) {
    findings.push(
      fail(`debug container ${chosen.name} running`, chosen.state, {
        where: 'status.ephemeralContainerStatuses',
        advice: `Give it something long-running (-- sleep 3600), or attach interactively with -it. A finished ephemeral container cannot be restarted: add a new one with another -c name (${DEBUG_COMMAND(target, freeName(all))}).`,
        code: 'DEBUG_NOT_RUNNING',
      }),
    );
    return findings;
  }
  findings.push(pass(`debug container ${chosen.name} running`, 'running', 'status.ephemeralContainerStatuses'));
  if (chosen.target !== target) return findings;

  // Behaviour: a shell in the debug container, and nginx's own files read
  // through PID 1 of the shared process namespace (nginx's master process).
  const probeWhere = `kubectl -n ${NAMESPACE} exec ${PROBE_POD} -c ${chosen.name} -- ${DEBUG_PROBE_ARGV.slice(0, 2).join(' ')} '${DEBUG_PROBE_ARGV[2] ?? ''}'`;
  const probe = await view.execInPod(
    { namespace: NAMESPACE, pod: PROBE_POD, container: chosen.name },
    DEBUG_PROBE_ARGV,
  );
  const expected = `a shell in ${chosen.name} reads nginx's ${NGINX_CONF_VIA_PID1} although bash was removed`;
  if (probe.exitCode === 0 && probe.stdout.includes('shell works') && probe.stdout.includes(NGINX_CONF_VIA_PID1)) {
    findings.push(pass(expected, `sh ran in ${chosen.name} and listed ${NGINX_CONF_VIA_PID1}`, probeWhere));
  } else if (programMissing(probe)) {
    findings.push(
      fail(expected, describeExec(probe), {
        where: probeWhere,
        advice: `The image ${chosen.image} has no shell. The point of kubectl debug is bringing your own tools: use --image=busybox:1.36 (${DEBUG_COMMAND(target, freeName(all))}).`,
        code: 'DEBUG_NO_SHELL',
      }),
    );
  } else {
    findings.push(
      fail(expected, describeExec(probe), {
        where: probeWhere,
        advice:
          "The shell runs but cannot reach nginx's files through /proc/1/root: PID 1 of the shared process namespace must be nginx (--target=nginx), and the debug container must run as root like nginx's master process.",
        code: 'DEBUG_CANNOT_SEE_NGINX',
      }),
    );
  }
  return findings;
};
