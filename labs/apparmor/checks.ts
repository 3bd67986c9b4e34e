// Checks of the AppArmor lab. The evidence that matters is what the kernel
// says, not what the API object says: the profile the container really runs
// under is /proc/1/attr/current, and the write must really be denied. When
// AppArmor cannot be used, Kubernetes refuses the pod rather than running it
// unconfined, but at two different places with two different messages: the
// kubelet when the host kernel has no AppArmor ("Cannot enforce AppArmor:
// AppArmor is not enabled on the host"), containerd when the node lacks what
// it needs, e.g. /sbin/apparmor_parser in kind's own node image
// ("apparmor is not supported"). Each is named with its own fix.
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import type { Check } from '../../server/checks/check.js';
import { fail, pass } from '../../server/checks/check.js';
import type { ClusterView, ExecResult } from '../../server/checks/cluster-view.js';
import {
  containerStatusOf,
  describeContainerState,
  describeExec,
  eventsOfThisPod,
  programMissing,
} from '../../server/checks/pod-facts.js';
import type { ClusterNode, Finding } from '../../server/protocol.js';

export const PROFILE = 'k8s-apparmor-example-deny-write';
export const NAMESPACE = 'apparmor-lab';
export const POD = 'hello-apparmor';
/** The pod of step 3, which names a profile no node has loaded. */
export const UNLOADED_PROFILE_POD = 'hello-apparmor-2';
export const PROFILES_FILE = '/sys/kernel/security/apparmor/profiles';
/** Global (sysfs is per node, /sys/module reflects the shared kernel). */
export const ENABLED_FILE = '/sys/module/apparmor/parameters/enabled';
export const ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
/** containerd's own profile, applied for RuntimeDefault (and by default). */
export const RUNTIME_DEFAULT_PROFILE = 'cri-containerd.apparmor.d';
export const ATTR_ARGV = ['cat', '/proc/1/attr/current'];
export const WRITE_PROBE = '/tmp/hl-apparmor-probe';
export const WRITE_ARGV = ['touch', WRITE_PROBE];
export const CLEANUP_ARGV = ['rm', '-f', WRITE_PROBE];

const LOAD_COMMAND = `apparmor_parser -r /root/labs/apparmor/manifests/${PROFILE}`;

// ---- reading the kernel's profile list -------------------------------------

/** `/sys/kernel/security/apparmor/profiles` lines are "<name> (<mode>)". */
export function parseProfiles(text: string): Map<string, string> {
  const profiles = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^(.+) \(([a-z_-]+)\)$/.exec(line.trim());
    if (match?.[1] && match[2]) profiles.set(match[1], match[2]);
  }
  return profiles;
}

function nodeForPod(nodes: ClusterNode[], pod: V1Pod): ClusterNode | undefined {
  const name = pod.spec?.nodeName;
  return nodes.find((n) => n.container === name || n.target === name);
}

// ---- which profile a container asked for ----------------------------------

export interface ProfileChoice {
  type: string;
  localhostProfile?: string;
  /** Where the choice came from, for `where` and for advice. */
  source: 'container field' | 'pod field' | 'annotation';
  where: string;
}

/** The annotation value ("localhost/x", "runtime/default", "unconfined") as a field. */
function fromAnnotation(value: string): { type: string; localhostProfile?: string } {
  if (value.startsWith('localhost/')) return { type: 'Localhost', localhostProfile: value.slice('localhost/'.length) };
  if (value === 'runtime/default') return { type: 'RuntimeDefault' };
  if (value === 'unconfined') return { type: 'Unconfined' };
  return { type: value };
}

/**
 * The profile Kubernetes asks the runtime for, with the API's precedence:
 * container field, then pod field, then the deprecated per-container annotation.
 */
export function effectiveProfile(pod: V1Pod, containerName: string): ProfileChoice | undefined {
  const container = pod.spec?.containers.find((c) => c.name === containerName);
  const own = container?.securityContext?.appArmorProfile;
  if (own) {
    return {
      type: own.type,
      ...(own.localhostProfile === undefined ? {} : { localhostProfile: own.localhostProfile }),
      source: 'container field',
      where: `spec.containers[${containerName}].securityContext.appArmorProfile`,
    };
  }
  const podLevel = pod.spec?.securityContext?.appArmorProfile;
  if (podLevel) {
    return {
      type: podLevel.type,
      ...(podLevel.localhostProfile === undefined ? {} : { localhostProfile: podLevel.localhostProfile }),
      source: 'pod field',
      where: 'spec.securityContext.appArmorProfile',
    };
  }
  const key = `${ANNOTATION_PREFIX}${containerName}`;
  const value = pod.metadata?.annotations?.[key];
  if (value !== undefined)
    return { ...fromAnnotation(value), source: 'annotation', where: `metadata.annotations["${key}"]` };
  return undefined;
}

function describeChoice(choice: ProfileChoice): string {
  return choice.localhostProfile === undefined
    ? `type ${choice.type}`
    : `type ${choice.type}, localhostProfile ${choice.localhostProfile}`;
}

/** State: the pod asks for the lab's profile, by field or (deprecated) annotation. */
function choiceFinding(pod: V1Pod, containerName: string, wanted: string): Finding {
  const expected = `container ${containerName} asks for AppArmor type Localhost, localhostProfile ${wanted}`;
  const choice = effectiveProfile(pod, containerName);
  if (!choice) {
    return fail(
      expected,
      `no AppArmor setting for container ${containerName} (it gets the runtime default, ${RUNTIME_DEFAULT_PROFILE})`,
      {
        where: `pod ${pod.metadata?.namespace}/${pod.metadata?.name}`,
        advice: `Add securityContext.appArmorProfile: {type: Localhost, localhostProfile: ${wanted}} to the container (or to the pod's securityContext). A pod's security settings cannot be changed in place: delete the pod and create it again.`,
        code: 'NO_APPARMOR_SETTING',
      },
    );
  }
  if (choice.type !== 'Localhost') {
    return fail(expected, describeChoice(choice), {
      where: choice.where,
      advice:
        choice.type === 'RuntimeDefault'
          ? `RuntimeDefault is containerd's own profile (${RUNTIME_DEFAULT_PROFILE}), which allows writes. Use type Localhost with localhostProfile ${wanted}.`
          : `Use type Localhost with localhostProfile ${wanted}; ${choice.type} does not apply the lab's profile.`,
      code: choice.type === 'RuntimeDefault' ? 'RUNTIME_DEFAULT' : 'NOT_LOCALHOST',
    });
  }
  if (choice.localhostProfile !== wanted) {
    return fail(expected, describeChoice(choice), {
      where: choice.where,
      advice: `localhostProfile must be the name on the profile line of the profile file (profile ${wanted} ...), not the file name or a path.`,
      code: 'WRONG_PROFILE_NAME',
    });
  }
  // Since 1.30 the API server copies the annotation into the container field
  // on create, so the field may be set while the learner wrote the annotation.
  const annotated = pod.metadata?.annotations?.[`${ANNOTATION_PREFIX}${containerName}`] !== undefined;
  if (choice.source === 'annotation' || annotated) {
    // Accepted: it still works. The finding passes but says why to move on.
    return {
      ok: true,
      expected,
      found: `annotation ${ANNOTATION_PREFIX}${containerName}: localhost/${wanted}`,
      where: `metadata.annotations["${ANNOTATION_PREFIX}${containerName}"]`,
      advice: `This annotation is deprecated since Kubernetes 1.30 (kubectl prints a warning). The field securityContext.appArmorProfile: {type: Localhost, localhostProfile: ${wanted}} replaces it.`,
    };
  }
  return pass(expected, `${choice.source}: ${describeChoice(choice)}`, choice.where);
}

// ---- what the runtime did ---------------------------------------------------

const NOT_LOADED = /apparmor profile not found|profile "?([\w.-]+)"? is not loaded/i;
/** The kubelet's admission check (the host kernel, as the node sees it, has no AppArmor). */
const KUBELET_NOT_ENABLED = /AppArmor is not enabled on the host/i;
/**
 * containerd's refusal (containerd 1.6 and 2.x alike): its hostSupports()
 * needs /sys/kernel/security/apparmor, /sbin/apparmor_parser and
 * /sys/module/apparmor/parameters/enabled = Y in the node, checked once when
 * containerd starts; without them every container that asks for a profile is
 * refused with "failed to generate apparmor spec opts: apparmor is not supported".
 */
const CONTAINERD_NOT_SUPPORTED = /apparmor is not supported/i;
/**
 * The API server validates AppArmor settings when a pod is created and
 * refuses the whole pod (so the check finds none): these are its messages.
 */
const API_REFUSALS = `If kubectl refused the pod, its message names the setting: "…annotations[container.apparmor.security.beta.kubernetes.io/<name>]: Invalid value: "<name>": container not found" means the part after the slash is not the name of a container in the pod (it must be hello; the field securityContext.appArmorProfile cannot point at a wrong container); "apparmor type in annotation and field must match" means the annotation and the field disagree (keep only the field); "must be set when AppArmor type is Localhost" means localhostProfile is missing.`;
const KUBELET_NO_APPARMOR =
  "The kubelet rejected the pod because it sees no AppArmor: either the host kernel does not run AppArmor (then this lab cannot run on this machine; it needs e.g. Ubuntu or Debian) or the kind nodes lack the host's /sys/kernel/security mount (extraMounts in the cluster config; recreate the cluster). A rejected pod is not retried: delete it and create it again once fixed.";
const containerdNoAppArmor = (node: string) =>
  `containerd on node ${node} has no AppArmor support, so it refuses every container that asks for a profile (it does not run it unconfined). It needs /sbin/apparmor_parser in the node, which kind's own node image does not ship: in that node's terminal run \`apt-get update && apt-get install -y apparmor && systemctl restart containerd\` (containerd decides once, when it starts). The kubelet retries the container by itself; if it stays refused, delete the pod and create it again.`;

function runtimeMessages(pod: V1Pod, containerName: string, events: CoreV1Event[]): string[] {
  const messages: string[] = [];
  const waiting = containerStatusOf(pod, containerName)?.state?.waiting;
  if (waiting?.message) messages.push(waiting.message);
  if (pod.status?.message) messages.push(pod.status.message);
  for (const event of eventsOfThisPod(pod, events))
    if (event.type === 'Warning' && event.message) messages.push(event.message);
  return messages;
}

/** Why a container is not running, in the runtime's words, with advice for AppArmor causes. */
function notRunningFinding(pod: V1Pod, containerName: string, events: CoreV1Event[], expected: string): Finding {
  const state = describeContainerState(pod, containerName);
  const messages = runtimeMessages(pod, containerName, events);
  const node = pod.spec?.nodeName ?? '(not scheduled)';
  const notLoaded = messages.find((m) => NOT_LOADED.test(m));
  if (notLoaded) {
    return fail(expected, `${state} — ${notLoaded}`, {
      where: `events of pod ${pod.metadata?.namespace}/${pod.metadata?.name}`,
      advice: `The profile is not loaded in the kernel of node ${node}. Load it in that node's terminal (\`${LOAD_COMMAND}\`); the kubelet retries by itself.`,
      code: 'PROFILE_NOT_LOADED',
    });
  }
  const unsupported = messages.find((m) => CONTAINERD_NOT_SUPPORTED.test(m));
  if (unsupported) {
    return fail(expected, `${state} — ${unsupported}`, {
      where: `events of pod ${pod.metadata?.namespace}/${pod.metadata?.name}`,
      advice: containerdNoAppArmor(node),
      code: 'CONTAINERD_NO_APPARMOR',
    });
  }
  const disabled = messages.find((m) => KUBELET_NOT_ENABLED.test(m));
  if (disabled) {
    return fail(expected, `${state} — ${disabled}`, {
      where: `pod ${pod.metadata?.namespace}/${pod.metadata?.name} status`,
      advice: KUBELET_NO_APPARMOR,
      code: 'KUBELET_NO_APPARMOR',
    });
  }
  return fail(expected, state, {
    where: `pod ${pod.metadata?.namespace}/${pod.metadata?.name} status`,
    advice: 'Wait until the pod is Running (`kubectl -n apparmor-lab get pod -w`), then check again.',
    code: 'NOT_RUNNING_YET',
  });
}

/** Behaviour: the kernel's label of the container's PID 1. */
export function attrFinding(result: ExecResult, wanted: string, pod: string): Finding {
  const expected = `/proc/1/attr/current in the container is "${wanted} (enforce)"`;
  const where = `kubectl -n ${NAMESPACE} exec ${pod} -- cat /proc/1/attr/current`;
  if (result.exitCode !== 0) {
    const text = `${result.stderr}\n${result.failure ?? ''}`;
    if (/Invalid argument/i.test(text)) {
      return fail(expected, describeExec(result), {
        where,
        advice:
          'The kernel has no AppArmor label for the process: AppArmor is not the active security module on this host, so nothing is enforced. This lab needs a host with AppArmor enabled.',
        code: 'NO_APPARMOR_LABEL',
      });
    }
    return fail(expected, describeExec(result), { where, code: 'EXEC_FAILED' });
  }
  // The file ends with a newline (and sometimes a NUL).
  const label = result.stdout.replace(/\0/g, '').trim();
  if (label === `${wanted} (enforce)`) return pass(expected, label, where);
  if (label === 'unconfined') {
    return fail(expected, label, {
      where,
      advice:
        'The container runs without any AppArmor profile. containerd never does that to a container that asks for a profile (it refuses it: "apparmor profile not found", or "apparmor is not supported" when the node lacks AppArmor support), so this container was created without asking for one: no setting, type Unconfined, or a setting added to the manifest after the pod was created. Security settings are fixed at creation: delete the pod and apply it again. "Running" proves nothing; this file is the proof.',
      code: 'RUNS_UNCONFINED',
    });
  }
  if (label.startsWith(RUNTIME_DEFAULT_PROFILE)) {
    return fail(expected, label, {
      where,
      advice: `That is containerd's default profile, not the lab's: the running pod was created without the setting (or with RuntimeDefault). Security settings are fixed at creation — delete the pod and apply it again.`,
      code: 'RUNTIME_DEFAULT_PROFILE',
    });
  }
  if (label === `${wanted} (complain)`) {
    return fail(expected, label, {
      where,
      advice:
        'The profile is loaded in complain mode: it logs violations but denies nothing. Reload it in enforce mode (`apparmor_parser -r` without -C, no flags=(complain)) and recreate the pod.',
      code: 'PROFILE_COMPLAIN',
    });
  }
  return fail(expected, label, {
    where,
    advice: `The container runs under another profile; the pod must name ${wanted}.`,
    code: 'OTHER_PROFILE',
  });
}

/** Behaviour: the write the profile exists to stop. */
async function writeFinding(
  view: ClusterView,
  target: { namespace: string; pod: string; container: string },
): Promise<Finding> {
  const expected = `touch ${WRITE_PROBE} in the container fails with "Permission denied"`;
  const where = `kubectl -n ${target.namespace} exec ${target.pod} -- touch ${WRITE_PROBE}`;
  const result = await view.execInPod(target, WRITE_ARGV);
  const text = `${result.stderr}\n${result.stdout}`;
  if (result.exitCode !== null && result.exitCode !== 0 && /Permission denied/i.test(text)) {
    return pass(expected, text.trim().split('\n')[0] ?? 'Permission denied', where);
  }
  if (result.exitCode === 0) {
    // The probe file exists now; leave nothing behind.
    await view.execInPod(target, CLEANUP_ARGV);
    return fail(expected, 'the write succeeded (exit code 0)', {
      where,
      advice:
        'Nothing stops writes in this container: it is not confined by the deny-write profile. Look at /proc/1/attr/current to see which profile it really has.',
      code: 'WRITE_ALLOWED',
    });
  }
  if (/Read-only file system/i.test(text)) {
    return fail(expected, describeExec(result), {
      where,
      advice:
        'That denial comes from readOnlyRootFilesystem, not from AppArmor. Remove it for this lab so the profile is what stops the write.',
      code: 'READ_ONLY_ROOT_NOT_APPARMOR',
    });
  }
  if (programMissing(result))
    return fail(expected, describeExec(result), {
      where,
      advice: 'The image has no touch; use busybox:1.36 as in the step.',
      code: 'NO_TOUCH_IN_IMAGE',
    });
  return fail(expected, describeExec(result), { where, code: 'WRITE_FAILED_OTHERWISE' });
}

// ---- the checks ---------------------------------------------------------------

/**
 * containerd supports AppArmor only when /sbin/apparmor_parser exists in the
 * node (its hostSupports() check, evaluated once per containerd start);
 * without it, it refuses every container that asks for a profile ("apparmor
 * is not supported"). kind's official node image does not ship it.
 */
export const PARSER_ARGV = ['test', '-x', '/sbin/apparmor_parser'];

async function parserFinding(view: ClusterView, node: ClusterNode): Promise<Finding> {
  const expected = `/sbin/apparmor_parser exists on node ${node.target} (without it containerd refuses pods that ask for a profile)`;
  const where = `${node.target}: test -x /sbin/apparmor_parser`;
  const result = await view.execOnNode(node.target, PARSER_ARGV);
  if (result.exitCode === 0) return pass(expected, 'present', where);
  return fail(expected, result.exitCode === 1 ? 'missing' : describeExec(result), {
    where,
    advice:
      'Install it in this node\'s terminal and restart containerd, which decides once at start whether AppArmor is usable: `apt-get update && apt-get install -y apparmor && systemctl restart containerd` (running pods keep running). Without it, containerd refuses every pod that names a profile with "apparmor is not supported".',
    code: 'PARSER_MISSING',
  });
}

/** Step 1: the profile is in the kernel, in enforce mode, as every node sees it. */
export const profileLoaded: Check = async (view) => {
  const nodes = await view.nodes();
  const parsers = await Promise.all(nodes.map((node) => parserFinding(view, node)));
  const profiles = await Promise.all(
    nodes.map(async (node): Promise<Finding> => {
      const expected = `${PROFILES_FILE} on node ${node.target} lists "${PROFILE} (enforce)"`;
      const where = `${node.target}:${PROFILES_FILE}`;
      const text = await view.readNodeFile(node.target, PROFILES_FILE);
      if (text === undefined) {
        // Two different causes: the kernel has no AppArmor at all, or the node lacks the mount.
        const enabled = (await view.readNodeFile(node.target, ENABLED_FILE))?.trim();
        if (enabled !== 'Y') {
          return fail(
            expected,
            `${PROFILES_FILE} does not exist in node ${node.target}; ${ENABLED_FILE} is ${enabled === undefined ? 'absent' : `"${enabled}"`}`,
            {
              where,
              advice:
                'The host kernel does not run AppArmor, so no profile can be loaded or enforced on this machine. This lab needs a Linux host with AppArmor enabled (Ubuntu, Debian); macOS Docker Desktop and SELinux hosts cannot run it.',
              code: 'NO_APPARMOR_HOST',
            },
          );
        }
        return fail(expected, `${PROFILES_FILE} does not exist in node ${node.target}`, {
          where,
          advice:
            'The host runs AppArmor but the node does not see its securityfs, so neither you nor the kubelet can load or use profiles there. The cluster config must mount /sys/kernel/security into every node (extraMounts); recreate the cluster after fixing it.',
          code: 'NO_SECURITYFS_MOUNT',
        });
      }
      const profiles = parseProfiles(text);
      const mode = profiles.get(PROFILE);
      if (mode === 'enforce') return pass(expected, `${PROFILE} (enforce)`, where);
      if (mode !== undefined) {
        return fail(expected, `${PROFILE} (${mode})`, {
          where,
          advice: `The profile is loaded in ${mode} mode, which only logs. Reload it in enforce mode: \`${LOAD_COMMAND}\` (no -C, no flags=(complain) in the file).`,
          code: 'PROFILE_COMPLAIN',
        });
      }
      const near = [...profiles.keys()].filter((name) => /deny-write|k8s-apparmor/i.test(name));
      return fail(
        expected,
        near.length > 0
          ? `not listed; similar names loaded: ${near.join(', ')}`
          : `not listed among ${profiles.size} loaded profiles`,
        {
          where,
          advice:
            near.length > 0
              ? `The kernel knows a profile by the name on its "profile" line, not by file name. Make that line read "profile ${PROFILE} flags=(attach_disconnected) {" and load it again.`
              : `Load it in this node's terminal: \`${LOAD_COMMAND}\` (-r replaces an older copy). Profiles are kernel-global, so loading it on one kind node shows it on all of them.`,
          code: near.length > 0 ? 'PROFILE_MISNAMED' : 'PROFILE_NOT_LOADED',
        },
      );
    }),
  );
  return [...profiles, ...parsers];
};

/** Step 2: the pod asks for the profile, the kernel applied it, and a write is denied. */
export const podConfined: Check = async (view) => {
  const pod = await view.getPod(NAMESPACE, POD);
  if (!pod) {
    return [
      fail(`pod ${NAMESPACE}/${POD} exists`, 'no such pod', {
        where: `kubectl -n ${NAMESPACE} get pod ${POD}`,
        advice: `Create it from the step (kubectl apply -f /root/labs/apparmor/manifests/hello-apparmor.yaml on the control plane). ${API_REFUSALS}`,
        code: 'NO_POD',
      }),
    ];
  }
  const container = pod.spec?.containers.find((c) => c.name === 'hello') ?? pod.spec?.containers[0];
  if (!container) return [fail(`pod ${NAMESPACE}/${POD} has a container`, 'no containers', { code: 'NO_CONTAINER' })];
  const findings: Finding[] = [choiceFinding(pod, container.name, PROFILE)];
  const running = containerStatusOf(pod, container.name)?.state?.running !== undefined;
  const expectedRunning = `container ${container.name} is Running`;
  if (!running) {
    findings.push(notRunningFinding(pod, container.name, await view.eventsFor(NAMESPACE, POD), expectedRunning));
    return findings;
  }
  const target = { namespace: NAMESPACE, pod: POD, container: container.name };
  const [attr, write] = await Promise.all([view.execInPod(target, ATTR_ARGV), writeFinding(view, target)]);
  findings.push(attrFinding(attr, PROFILE, POD), write);
  return findings;
};

/**
 * Step 3: a pod naming a profile that no node has loaded is accepted by the
 * API server and refused by the runtime: CreateContainerError, never Running.
 */
export const unloadedProfileRefused: Check = async (view) => {
  const pod = await view.getPod(NAMESPACE, UNLOADED_PROFILE_POD);
  if (!pod) {
    return [
      fail(`pod ${NAMESPACE}/${UNLOADED_PROFILE_POD} exists`, 'no such pod', {
        where: `kubectl -n ${NAMESPACE} get pod ${UNLOADED_PROFILE_POD}`,
        advice: `Create it from the step (kubectl apply -f /root/labs/apparmor/manifests/hello-apparmor-2.yaml). ${API_REFUSALS}`,
        code: 'NO_POD',
      }),
    ];
  }
  const container = pod.spec?.containers[0];
  if (!container)
    return [
      fail(`pod ${NAMESPACE}/${UNLOADED_PROFILE_POD} has a container`, 'no containers', { code: 'NO_CONTAINER' }),
    ];
  const findings: Finding[] = [];
  const choice = effectiveProfile(pod, container.name);
  const expectedChoice = `container ${container.name} asks for a Localhost profile`;
  if (choice?.type !== 'Localhost' || !choice.localhostProfile) {
    findings.push(
      fail(expectedChoice, choice ? describeChoice(choice) : 'no AppArmor setting', {
        where: choice?.where ?? `pod ${NAMESPACE}/${UNLOADED_PROFILE_POD}`,
        advice: 'Use type Localhost with a profile name no node has loaded, e.g. k8s-apparmor-example-allow-write.',
        code: 'NOT_LOCALHOST',
      }),
    );
    return findings;
  }
  findings.push(pass(expectedChoice, describeChoice(choice), choice.where));

  const nodes = await view.nodes();
  const node = nodeForPod(nodes, pod) ?? nodes.find((n) => n.role === 'control-plane');
  if (node) {
    const text = await view.readNodeFile(node.target, PROFILES_FILE);
    const expectedUnloaded = `profile ${choice.localhostProfile} is not loaded on node ${node.target}`;
    const where = `${node.target}:${PROFILES_FILE}`;
    if (text !== undefined && parseProfiles(text).has(choice.localhostProfile)) {
      findings.push(
        fail(expectedUnloaded, `${choice.localhostProfile} is loaded`, {
          where,
          advice:
            'This step is about a profile that is missing: name one that is not loaded (k8s-apparmor-example-allow-write), delete the pod and create it again.',
          code: 'PROFILE_IS_LOADED',
        }),
      );
      return findings;
    }
    findings.push(pass(expectedUnloaded, text === undefined ? `${PROFILES_FILE} absent` : 'not listed', where));
  }

  const expectedRefusal = `the runtime refuses to start container ${container.name} ("apparmor profile not found", CreateContainerError)`;
  const status = containerStatusOf(pod, container.name);
  if (status?.state?.running) {
    findings.push(
      fail(expectedRefusal, `Running — ${describeContainerState(pod, container.name)}`, {
        where: `pod ${NAMESPACE}/${UNLOADED_PROFILE_POD} status`,
        advice:
          'The container runs, so its profile was loaded when the container was created: containerd looks the name up in the kernel at that moment and refuses a name it does not find. It has been unloaded since, which does not touch a running container. Delete the pod and create it again while the profile is not loaded.',
        code: 'PROFILE_WAS_LOADED',
      }),
    );
    return findings;
  }
  const events = await view.eventsFor(NAMESPACE, UNLOADED_PROFILE_POD);
  const messages = runtimeMessages(pod, container.name, events);
  // Refused too, but for the wrong reason: nothing about the missing profile was learned.
  const unsupported = messages.find((m) => CONTAINERD_NOT_SUPPORTED.test(m));
  if (unsupported) {
    findings.push(
      fail(expectedRefusal, `${status?.state?.waiting?.reason ?? 'not started'}: ${unsupported}`, {
        where: `events of pod ${NAMESPACE}/${UNLOADED_PROFILE_POD}`,
        advice: `${containerdNoAppArmor(pod.spec?.nodeName ?? '(not scheduled)')} Until then containerd refuses every profile, loaded or not, so this refusal says nothing about the missing profile.`,
        code: 'CONTAINERD_NO_APPARMOR',
      }),
    );
    return findings;
  }
  const noAppArmor = messages.find((m) => KUBELET_NOT_ENABLED.test(m));
  if (noAppArmor) {
    findings.push(
      fail(expectedRefusal, `${pod.status?.reason ?? 'rejected'}: ${noAppArmor}`, {
        where: `pod ${NAMESPACE}/${UNLOADED_PROFILE_POD} status`,
        advice: KUBELET_NO_APPARMOR,
        code: 'KUBELET_NO_APPARMOR',
      }),
    );
    return findings;
  }
  const refusal = messages.find((m) => NOT_LOADED.test(m));
  if (refusal) {
    findings.push(
      pass(
        expectedRefusal,
        `${status?.state?.waiting?.reason ?? pod.status?.reason ?? 'not started'}: ${refusal}`,
        `events of pod ${NAMESPACE}/${UNLOADED_PROFILE_POD}`,
      ),
    );
    return findings;
  }
  findings.push(
    fail(expectedRefusal, describeContainerState(pod, container.name), {
      where: `pod ${NAMESPACE}/${UNLOADED_PROFILE_POD} status`,
      advice:
        'The kubelet has not tried to start it yet; look at `kubectl -n apparmor-lab describe pod hello-apparmor-2` and check again in a few seconds.',
      code: 'NOT_TRIED_YET',
    }),
  );
  return findings;
};
