// Checks of the immutable-pods lab. Behaviour is the proof (the write is
// tried and must fail, the removed shell must be gone); state explains why.
// The common wrong answers leave no trace in the stored pod — the API server
// drops unknown fields such as `readonlyRootFilesystem` — so they are
// recognised from what does survive: the pod is writable, and kubectl's
// last-applied-configuration annotation still holds what the learner wrote.
import type { CoreV1Event, V1Container, V1Pod } from '@kubernetes/client-node';
import type { Check } from '../../server/checks/check.js';
import { fail, pass } from '../../server/checks/check.js';
import type { ClusterView, ExecResult } from '../../server/checks/cluster-view.js';
import {
  containerStatusOf,
  describeContainerState,
  describeExec,
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
/** A shell in the debug container proves `kubectl debug` walks around the trick. */
export const DEBUG_SHELL_ARGV = ['sh', '-c', 'echo shell works'];

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
export function readOnlyMistake(pod: V1Pod): string | undefined {
  const applied = lastApplied(pod);
  if (applied === undefined) return undefined;
  const similar = findKeys(applied, (k) => k.toLowerCase() === 'readonlyrootfilesystem');
  const misspelt = similar.find((p) => !p.endsWith('.readOnlyRootFilesystem'));
  if (misspelt) {
    return `Your manifest says ${misspelt.split('.').pop() ?? ''} (at ${misspelt}); the field is readOnlyRootFilesystem, with a capital O. The API server drops fields it does not know, so the pod was created without it.`;
  }
  const podLevel = similar.find((p) => p === 'spec.securityContext.readOnlyRootFilesystem');
  if (podLevel) {
    return "Your manifest sets readOnlyRootFilesystem in the pod-level spec.securityContext. That object has no such field (the API server drops it): put it in each container's securityContext.";
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

function missingPod(name: string, advice: string): Finding {
  return fail(`pod ${NAMESPACE}/${name} exists`, 'no such pod', {
    where: `kubectl -n ${NAMESPACE} get pod ${name}`,
    advice,
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
export function adviceForNginxErrors(errors: string[], mounts: string[]): string | undefined {
  const readOnly = [
    ...new Set(
      errors
        .filter((e) => /Read-only file system/.test(e))
        .map((e) => /"([^"]+)"/.exec(e)?.[1])
        .filter((p): p is string => p !== undefined),
    ),
  ];
  if (readOnly.length > 0) {
    return (
      `nginx cannot write ${readOnly.join(' and ')} on the read-only root, so it exits. ` +
      'Mount a writable emptyDir at /var/cache/nginx and another at /var/run (where it writes nginx.pid)' +
      (mounts.length > 0 && mounts.every((m) => m.startsWith('/var/log'))
        ? ': an emptyDir on /var/log alone, as in the blog, is not enough.'
        : '.')
    );
  }
  if (errors.some((e) => /\/var\/log\/nginx\/.*No such file or directory/.test(e)) && mounts.includes('/var/log')) {
    return (
      "The emptyDir mounted on /var/log (the blog's) hides the image's /var/log/nginx directory, so nginx cannot open its error log and exits. " +
      'Drop that volume (nginx logs to stdout) or mount it at /var/log/nginx, and mount emptyDirs at /var/cache/nginx and /var/run instead.'
    );
  }
  return errors.length > 0
    ? 'nginx exits at start-up: the log line above names the file or directory it needs.'
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
      missingPod(RO_POD, `Create it from your manifest (kubectl apply -f ro-nginx.yaml). ${STRICT_DECODING_ADVICE}`),
    ];
  const container = nginxContainer(pod);
  if (!container) return [fail('a container running nginx', 'the pod has no containers', { where: 'spec.containers' })];
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
          mistake ??
          (value === false
            ? 'Set it to true.'
            : 'Add securityContext: {readOnlyRootFilesystem: true} to the nginx container (not the pod). If you wrote it, check the spelling: the API server silently drops unknown fields.'),
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
    findings.push(
      fail(
        `container ${container.name} running and ready`,
        `${describeContainerState(pod, container.name)}${errors[0] ? `; log: ${errors[0]}` : ''}`,
        {
          where: 'status.containerStatuses',
          advice:
            adviceForNginxErrors(errors, mounts) ??
            'Wait a few seconds and check again; if it stays like this, `kubectl -n immutable-pods describe pod ro-nginx` says why.',
        },
      ),
    );
  }

  if (!running) {
    findings.push(
      fail('writing to / fails with "Read-only file system"', 'not tested: the container is not running', {
        where: 'kubectl exec',
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
        { where },
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
          mistake ??
          'An attacker in this container can still drop tools into the image filesystem. Set readOnlyRootFilesystem: true in the container securityContext.',
      }),
    );
  } else {
    findings.push(fail('writing to / fails with "Read-only file system"', rootComplaint, { where }));
  }
  const cacheComplaint = complaint(CACHE_PROBE);
  findings.push(
    cacheComplaint === undefined
      ? pass('writing into /var/cache/nginx (an emptyDir) works', `no error for ${CACHE_PROBE}`, where)
      : fail('writing into /var/cache/nginx (an emptyDir) works', cacheComplaint, {
          where,
          advice: 'Mount a writable emptyDir at /var/cache/nginx: nginx keeps its temp files there.',
        }),
  );
  return findings;
};

// ---- step 2: the startup-probe trick -------------------------------------------

const SHELLS = /^(\/usr)?(\/bin\/)?(sh|bash|dash|ash)$/;

/** Judges the probe's exec command: a shell with -c and a script, or rm itself. */
export function judgeProbeCommand(command: string[] | undefined): { ok: boolean; found: string; advice?: string } {
  const found = command === undefined ? 'no startupProbe.exec.command' : JSON.stringify(command);
  if (!command || command.length === 0) {
    return {
      ok: false,
      found,
      advice:
        'Add a startupProbe with exec.command: ["sh", "-c", "rm -f /bin/bash /bin/touch"] to the nginx container.',
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
      };
    }
    if (!/^-[a-z]*c[a-z]*$/.test(flag)) {
      return {
        ok: false,
        found,
        advice: `A shell runs a command string only after -c; the second item is ${JSON.stringify(flag)}.`,
      };
    }
    const script = rest.join(' ');
    if (!/\brm\b/.test(script))
      return { ok: false, found, advice: 'The probe script must remove the programs with rm.' };
    return { ok: true, found };
  }
  if (/(^|\/)rm$/.test(program)) return { ok: true, found };
  return { ok: false, found, advice: 'The probe must run rm, directly or through sh -c.' };
}

function probeEventMessages(events: CoreV1Event[]): string[] {
  return events
    .filter((e) => e.reason === 'Unhealthy' && /Startup probe failed/.test(e.message ?? ''))
    .map((e) => (e.message ?? '').trim());
}

export const startupProbeRemovesShell: Check = async (view) => {
  const pod = await view.getPod(NAMESPACE, PROBE_POD);
  if (!pod) return [missingPod(PROBE_POD, 'Create the pod with the startup probe (kubectl apply -f immutable.yaml).')];
  const container = nginxContainer(pod);
  if (!container) return [fail('a container running nginx', 'the pod has no containers', { where: 'spec.containers' })];
  const findings: Finding[] = [];
  const where = `spec.containers[${container.name}].startupProbe.exec.command`;

  const judged = judgeProbeCommand(container.startupProbe?.exec?.command);
  findings.push(
    judged.ok
      ? pass('a startup probe that runs rm (e.g. ["sh", "-c", "rm -f /bin/bash /bin/touch"])', judged.found, where)
      : fail('a startup probe that runs rm (e.g. ["sh", "-c", "rm -f /bin/bash /bin/touch"])', judged.found, {
          where,
          ...(judged.advice ? { advice: judged.advice } : {}),
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
    const failures = probeEventMessages(await view.eventsFor(NAMESPACE, PROBE_POD));
    const lastFailure = failures[failures.length - 1];
    findings.push(
      fail(
        'the startup probe succeeded (container started and ready)',
        `${describeContainerState(pod, container.name)}${lastFailure ? `; event: ${lastFailure}` : ''}`,
        {
          where: 'status.containerStatuses',
          advice:
            judged.advice ??
            (lastFailure
              ? 'The probe command fails, so the kubelet keeps restarting the container. Run the same command by hand with kubectl exec to see why.'
              : 'The probe has not succeeded yet: wait a few seconds (initialDelaySeconds + periodSeconds) and check again.'),
        },
      ),
    );
  }

  if (!isRunning(pod, container.name)) {
    findings.push(
      fail('bash can no longer be started in the container', 'not tested: the container is not running', {
        where: 'kubectl exec',
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
            },
          ),
    );
  }
  return findings;
};

// ---- step 3: the limits of the trick -----------------------------------------------

export const debugBypassesTrick: Check = async (view) => {
  const pod = await view.getPod(NAMESPACE, PROBE_POD);
  if (!pod)
    return [missingPod(PROBE_POD, 'This step uses the pod from the previous step; re-create it if you deleted it.')];
  const target = nginxContainer(pod)?.name ?? 'nginx';
  const debug = pod.spec?.ephemeralContainers ?? [];
  const where = 'spec.ephemeralContainers';
  if (debug.length === 0) {
    return [
      fail('an ephemeral debug container in pod immutable (kubectl debug)', 'none', {
        where,
        advice: `kubectl -n ${NAMESPACE} debug ${PROBE_POD} --image=busybox:1.36 --image-pull-policy=IfNotPresent --target=${target} -c debugger -- sleep 3600`,
      }),
    ];
  }
  const findings: Finding[] = [];
  const targeted = debug.find((c) => c.targetContainerName === target);
  const chosen = targeted ?? debug[debug.length - 1];
  if (!chosen) return findings;
  findings.push(
    targeted
      ? pass(
          `a debug container that targets ${target} (shares its processes)`,
          `${targeted.name} (${targeted.image ?? 'no image'}) → ${target}`,
          where,
        )
      : fail(
          `a debug container that targets ${target} (shares its processes)`,
          `${chosen.name} has no targetContainerName`,
          {
            where,
            advice: `Add --target=${target}: without it the debug container cannot see nginx's processes or, through /proc/1/root, its files.`,
          },
        ),
  );
  const status = pod.status?.ephemeralContainerStatuses?.find((s) => s.name === chosen.name);
  if (!status?.state?.running) {
    const state = status?.state?.terminated
      ? `terminated (exit code ${status.state.terminated.exitCode})`
      : status?.state?.waiting
        ? `waiting: ${status.state.waiting.reason ?? ''}`
        : 'no status yet';
    findings.push(
      fail(`debug container ${chosen.name} running`, state, {
        where: 'status.ephemeralContainerStatuses',
        advice:
          'Give it something long-running (-- sleep 3600), or attach interactively with -it. A finished ephemeral container cannot be restarted: add a new one with another -c name.',
      }),
    );
    return findings;
  }
  const shell = await view.execInPod(
    { namespace: NAMESPACE, pod: PROBE_POD, container: chosen.name },
    DEBUG_SHELL_ARGV,
  );
  findings.push(
    shell.exitCode === 0 && shell.stdout.includes('shell works')
      ? pass(
          'a shell runs beside nginx although bash was removed',
          'sh ran in the debug container',
          `kubectl -n ${NAMESPACE} exec ${PROBE_POD} -c ${chosen.name} -- sh -c 'echo shell works'`,
        )
      : fail('a shell runs beside nginx although bash was removed', describeExec(shell), {
          where: `kubectl exec -c ${chosen.name}`,
        }),
  );
  return findings;
};
