// Pure readings of a pod's seccomp settings, and of what the container
// runtime says it applied. Kept apart from checks.ts so the rules (container
// overrides pod, privileged means unconfined, localhostProfile is relative to
// /var/lib/kubelet/seccomp) can be tested without any recording.
import { posix } from 'node:path';
import type { V1Container, V1Pod, V1SeccompProfile } from '@kubernetes/client-node';
import { z } from 'zod';
import type { MistakeCode } from '../../server/checks/check.js';

/** The kubelet's root for Localhost profiles (its --seccomp-profile-root default). */
export const KUBELET_SECCOMP_ROOT = '/var/lib/kubelet/seccomp';
/** Where kind-config/cluster.yaml mounts the lab's profiles on every node. */
export const PROFILES_DIR = `${KUBELET_SECCOMP_ROOT}/profiles`;
export const LAB_PROFILES = ['audit.json', 'violation.json', 'fine-grained.json'] as const;
export type LabProfile = (typeof LAB_PROFILES)[number];

/** Removed in 1.27: the API server still accepts them but only warns, and the kubelet ignores them. */
export const POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
export const CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

export type WantedProfile = { type: 'RuntimeDefault' } | { type: 'Localhost'; file: LabProfile };

/** Where the effective profile of a container comes from. */
export interface EffectiveProfile {
  profile: V1SeccompProfile | undefined;
  /** Field path, e.g. "spec.containers[0].securityContext.seccompProfile". */
  source: string | undefined;
  /** The pod-level profile when a container-level one overrides it. */
  overridden: V1SeccompProfile | undefined;
}

/** The kubelet's rule: the container's field wins, else the pod's, else nothing. */
export function effectiveProfile(pod: V1Pod, container: V1Container): EffectiveProfile {
  const index = (pod.spec?.containers ?? []).indexOf(container);
  const containerProfile = container.securityContext?.seccompProfile;
  const podProfile = pod.spec?.securityContext?.seccompProfile;
  if (containerProfile) {
    return {
      profile: containerProfile,
      source: `spec.containers[${index}].securityContext.seccompProfile`,
      overridden: podProfile,
    };
  }
  if (podProfile) return { profile: podProfile, source: 'spec.securityContext.seccompProfile', overridden: undefined };
  return { profile: undefined, source: undefined, overridden: undefined };
}

export function describeProfile(profile: V1SeccompProfile | undefined): string {
  if (!profile) return 'no seccompProfile';
  return profile.type === 'Localhost'
    ? `{type: Localhost, localhostProfile: ${profile.localhostProfile ?? '(missing)'}}`
    : `{type: ${profile.type}}`;
}

export function describeWanted(wanted: WantedProfile): string {
  return wanted.type === 'RuntimeDefault'
    ? 'seccompProfile {type: RuntimeDefault}'
    : `seccompProfile {type: Localhost, localhostProfile: profiles/${wanted.file}}`;
}

/** The deprecated annotations on the pod that would have named a profile before 1.27. */
export function seccompAnnotations(pod: V1Pod): string[] {
  const annotations = pod.metadata?.annotations ?? {};
  return Object.entries(annotations)
    .filter(([key]) => key === POD_ANNOTATION || key.startsWith(CONTAINER_ANNOTATION_PREFIX))
    .map(([key, value]) => `${key}: ${value}`);
}

export type ProfileVerdict =
  | { ok: true }
  | {
      ok: false;
      found: string;
      advice: string;
      code: MistakeCode;
      /**
       * A relative Localhost path other than the lab's: whether it works depends
       * on what the node has at that path, which only a look on the node can say.
       */
      localhostPath?: string;
    }
  /** No field at all: only the node can tell whether the kubelet defaults to RuntimeDefault. */
  | { ok: 'unknown'; found: string };

/**
 * Compares the effective profile with the wanted one and, when it differs,
 * names the mistake: a missing "profiles/" prefix, the kubelet's root spelled
 * out, another lab profile, a container-level override, the removed annotation.
 */
export function judgeProfile(pod: V1Pod, container: V1Container, wanted: WantedProfile): ProfileVerdict {
  const { profile, source, overridden } = effectiveProfile(pod, container);
  const annotations = seccompAnnotations(pod);
  const wantedText = describeWanted(wanted);

  if (!profile) {
    if (annotations.length > 0) {
      return {
        ok: false,
        found: `no seccompProfile field, only the annotation ${annotations.join(', ')}`,
        advice:
          'The seccomp annotations stopped working in Kubernetes 1.27: the API server only warns ' +
          '("non-functional in v1.27+") and the kubelet ignores them, so this container runs Unconfined. ' +
          `Set ${wantedText} in securityContext (pod or container) instead, then recreate the pod.`,
        code: 'ANNOTATION_ONLY',
      };
    }
    if (wanted.type === 'RuntimeDefault')
      return { ok: 'unknown', found: 'no seccompProfile field on the pod or the container' };
    return {
      ok: false,
      found: 'no seccompProfile field on the pod or the container',
      advice: `Without the field the kubelet runs the container Unconfined (unless seccompDefault is on, which gives RuntimeDefault, not your profile). Add ${wantedText} under spec.securityContext or the container's securityContext.`,
      code: 'NO_SECCOMP_FIELD',
    };
  }

  const found = `${describeProfile(profile)} at ${source ?? 'unknown place'}`;
  const override =
    overridden && source?.startsWith('spec.containers')
      ? ` The pod-level ${describeProfile(overridden)} does not count: a container-level seccompProfile always overrides it.`
      : '';

  if (profile.type === 'Unconfined') {
    return {
      ok: false,
      found,
      advice: `Unconfined means no seccomp filter at all: every syscall reaches the kernel.${override} Use ${wantedText}.`,
      code: 'UNCONFINED',
    };
  }
  if (wanted.type === 'RuntimeDefault') {
    if (profile.type === 'RuntimeDefault') return { ok: true };
    return {
      ok: false,
      found,
      advice: `This step is about the container runtime's own default profile: ${wantedText}, no file needed.${override}`,
      code: 'NOT_RUNTIME_DEFAULT',
    };
  }
  if (profile.type !== 'Localhost') {
    return {
      ok: false,
      found,
      advice: `RuntimeDefault is the runtime's built-in profile, not the file profiles/${wanted.file} on the node.${override} Use ${wantedText}.`,
      code: 'RUNTIME_DEFAULT_NOT_FILE',
    };
  }
  const path = profile.localhostProfile ?? '';
  // The kubelet joins the path onto its root with filepath.Join, which cleans
  // it: "./profiles/x" and "profiles//x" open the same file as "profiles/x".
  const cleaned = posix.normalize(path);
  if (cleaned === `profiles/${wanted.file}`) return { ok: true };
  const advice = `${localhostPathAdvice(path, wanted.file)}${override}`;
  if (path.startsWith('/')) return { ok: false, found, advice, code: 'PROFILE_PATH_ABSOLUTE' };
  const other = otherLabProfile(cleaned, wanted.file);
  if (other) return { ok: false, found, advice, code: 'OTHER_LAB_PROFILE' };
  return { ok: false, found, advice, code: 'PROFILE_PATH_OTHER', localhostPath: path };
}

/** The lab profile a path names in the lab's own directory, when it is not the wanted one. */
function otherLabProfile(path: string, wantedFile: LabProfile): LabProfile | undefined {
  return LAB_PROFILES.find((p) => p !== wantedFile && path === `profiles/${p}`);
}

/** The file the kubelet hands to the runtime for a (relative) localhostProfile. */
export function kubeletProfilePath(localhostProfile: string): string {
  return `${KUBELET_SECCOMP_ROOT}/${localhostProfile.replace(/^\/+/, '')}`;
}

/**
 * Whether two seccomp profile files hold the same profile: equal JSON, key
 * order and whitespace aside (a copy, or the same rules written out again).
 * undefined when either is not JSON.
 */
export function sameProfileJson(a: string, b: string): boolean | undefined {
  const canonical = (text: string): string | undefined => {
    try {
      return JSON.stringify(sortKeys(JSON.parse(text) as unknown));
    } catch {
      return undefined;
    }
  };
  const [x, y] = [canonical(a), canonical(b)];
  return x === undefined || y === undefined ? undefined : x === y;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, sortKeys(v)]),
  );
}

/** The defaultAction of a profile file, for describing one that is not the lab's. */
export function profileDefaultAction(text: string): string | undefined {
  try {
    const parsed = z.looseObject({ defaultAction: z.string().optional() }).safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.defaultAction : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why a Localhost path is not the lab's, in terms of the file the kubelet
 * opens. It never says whether that file exists: only the node can (the
 * checks look there and say what they found).
 */
export function localhostPathAdvice(path: string, wantedFile: LabProfile): string {
  const opened = kubeletProfilePath(path);
  const base = path.split('/').pop() ?? path;
  const relativeRoot = KUBELET_SECCOMP_ROOT.slice(1);
  if (path.startsWith('/')) {
    return `localhostProfile must be relative to ${KUBELET_SECCOMP_ROOT} (the API server rejects an absolute path). Write profiles/${wantedFile}.`;
  }
  if (path.startsWith(relativeRoot) || path.startsWith(`${relativeRoot.split('/')[0]}/`)) {
    return `localhostProfile is already relative to ${KUBELET_SECCOMP_ROOT}: "${path}" makes the kubelet open ${opened}. Write profiles/${wantedFile}.`;
  }
  if (!path.includes('/') && (LAB_PROFILES as readonly string[]).includes(base)) {
    return `localhostProfile is relative to ${KUBELET_SECCOMP_ROOT}, so "${path}" means ${opened}; the lab's profiles are in the profiles/ subdirectory, on every node. Write profiles/${wantedFile}.`;
  }
  if ((LAB_PROFILES as readonly string[]).includes(base) && base !== wantedFile) {
    return `That is the ${base} profile; this step asks for profiles/${wantedFile}.`;
  }
  return `The kubelet would open ${opened}. The lab's profiles are ${LAB_PROFILES.map((p) => `profiles/${p}`).join(', ')}; this step asks for profiles/${wantedFile}.`;
}

/** The parts of `crictl inspect <id>` (JSON) the checks read. */
const crictlInspectSchema = z.looseObject({
  status: z.looseObject({ state: z.string().optional() }).optional(),
  info: z
    .looseObject({
      pid: z.number().optional(),
      runtimeSpec: z
        .looseObject({
          linux: z
            .looseObject({
              seccomp: z
                .looseObject({
                  defaultAction: z.string().optional(),
                  syscalls: z
                    .array(z.looseObject({ names: z.array(z.string()).optional(), action: z.string().optional() }))
                    .optional(),
                })
                .optional(),
            })
            .optional(),
          process: z.looseObject({ args: z.array(z.string()).optional() }).optional(),
        })
        .optional(),
    })
    .optional(),
});

export interface RuntimeSeccomp {
  /** Container state as the CRI says it (CONTAINER_RUNNING, CONTAINER_EXITED, ...). */
  state: string | undefined;
  /** PID on the node; 0 or undefined when the container does not run. */
  pid: number | undefined;
  /** undefined when the OCI spec has no seccomp section: the container runs unconfined. */
  defaultAction: string | undefined;
  /** Syscall names the spec denies explicitly with SCMP_ACT_ERRNO. */
  denied: string[];
  /** How many syscall rules the spec carries (RuntimeDefault has hundreds of names). */
  ruleCount: number;
  hasSeccomp: boolean;
}

/** undefined when the output is not crictl's JSON (empty, cut off, an error text). */
export function parseCrictlInspect(stdout: string): RuntimeSeccomp | undefined {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  const result = crictlInspectSchema.safeParse(json);
  if (!result.success) return undefined;
  const parsed = result.data;
  const seccomp = parsed.info?.runtimeSpec?.linux?.seccomp;
  const syscalls = seccomp?.syscalls ?? [];
  return {
    state: parsed.status?.state,
    pid: parsed.info?.pid,
    defaultAction: seccomp?.defaultAction,
    denied: syscalls.filter((s) => s.action === 'SCMP_ACT_ERRNO').flatMap((s) => s.names ?? []),
    ruleCount: syscalls.reduce((n, s) => n + (s.names?.length ?? 0), 0),
    hasSeccomp: seccomp !== undefined,
  };
}

/** The "Seccomp:" field of /proc/<pid>/status: 0 disabled, 1 strict, 2 filter. */
export function seccompMode(procStatus: string): number | undefined {
  const match = /^Seccomp:\s*(\d+)\s*$/m.exec(procStatus);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** "containerd://0123..." → "0123...". */
export function runtimeContainerId(containerID: string | undefined): string | undefined {
  if (!containerID) return undefined;
  const id = containerID.replace(/^[a-z0-9-]+:\/\//, '');
  return id === '' ? undefined : id;
}
