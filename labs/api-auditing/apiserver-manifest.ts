// Reads the kube-apiserver static-pod manifest as kubelet will: the flags on
// the command line, and where a path inside the container really lives on
// the node (volumeMount → hostPath volume). Every audit mistake that makes
// the apiserver crash-loop is a mismatch between these two views of a path,
// so the checks name the mismatch instead of saying "apiserver down".
import path from 'node:path/posix';
import { parseDocument } from 'yaml';
import { z } from 'zod';

export const APISERVER_MANIFEST = '/etc/kubernetes/manifests/kube-apiserver.yaml';

const volumeMountSchema = z.looseObject({
  name: z.string(),
  mountPath: z.string(),
  readOnly: z.boolean().optional(),
  subPath: z.string().optional(),
});

const volumeSchema = z.looseObject({
  name: z.string(),
  hostPath: z.looseObject({ path: z.string(), type: z.string().optional() }).optional(),
});

const containerSchema = z.looseObject({
  name: z.string(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  volumeMounts: z.array(volumeMountSchema).nullish(),
});

const podSchema = z.looseObject({
  kind: z.string().optional(),
  spec: z.looseObject({
    containers: z.array(containerSchema).min(1),
    volumes: z.array(volumeSchema).nullish(),
  }),
});

export type VolumeMount = z.infer<typeof volumeMountSchema>;
export type Volume = z.infer<typeof volumeSchema>;

export interface ApiserverManifest {
  /** command + args of the kube-apiserver container. */
  argv: string[];
  /** --flag → every value given, in order (the last one wins, as in pflag). */
  flags: Map<string, string[]>;
  volumeMounts: VolumeMount[];
  volumes: Volume[];
}

export type ManifestReading =
  { ok: true; manifest: ApiserverManifest } | { ok: false; problem: string; advice: string };

export function readManifest(text: string): ManifestReading {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const line = first?.linePos?.[0]?.line;
    return {
      ok: false,
      problem: `invalid YAML${line ? ` at line ${line}` : ''}: ${first?.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? 'unknown error'}`,
      advice:
        'kubelet cannot read the manifest, so no apiserver runs at all. Check the indentation around your edit (spaces only; flags are "    - --flag=value" aligned with the other flags).',
    };
  }
  const parsed = podSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      problem: `not a pod spec kubelet understands (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unexpected shape'})`,
      advice: 'Compare your edit with the step text: volumes and volumeMounts are lists of mappings, each with a name.',
    };
  }
  const container =
    parsed.data.spec.containers.find((c) => c.name === 'kube-apiserver') ?? parsed.data.spec.containers[0];
  if (!container) return { ok: false, problem: 'no containers', advice: 'Restore the manifest from the backup.' };
  const argv = [...(container.command ?? []), ...(container.args ?? [])];
  return {
    ok: true,
    manifest: {
      argv,
      flags: parseFlags(argv),
      volumeMounts: container.volumeMounts ?? [],
      volumes: parsed.data.spec.volumes ?? [],
    },
  };
}

/** "--a=b" and "--a b" (for --audit-* flags, which all take a value). */
export function parseFlags(argv: readonly string[]): Map<string, string[]> {
  const flags = new Map<string, string[]>();
  const add = (name: string, value: string) => flags.set(name, [...(flags.get(name) ?? []), value]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    if (eq > 0) add(arg.slice(2, eq), arg.slice(eq + 1));
    else if (arg.startsWith('--audit-') && i + 1 < argv.length && !(argv[i + 1] ?? '').startsWith('-'))
      add(arg.slice(2), argv[++i] ?? '');
    else add(arg.slice(2), '');
  }
  return flags;
}

export function flagValue(manifest: ApiserverManifest, name: string): string | undefined {
  return manifest.flags.get(name)?.at(-1);
}

/** kube-apiserver audit flags of the log backend and the policy (webhook flags are also legal). */
const KNOWN_AUDIT_FLAG =
  /^audit-(policy-file|log-(path|maxage|maxbackup|maxsize|format|mode|compress|version|batch-[a-z-]+|truncate-[a-z-]+)|webhook-[a-z-]+)$/;

/** --audit-* flags kube-apiserver does not know: it exits with "unknown flag". */
export function unknownAuditFlags(manifest: ApiserverManifest): string[] {
  return [...manifest.flags.keys()].filter((f) => f.startsWith('audit') && !KNOWN_AUDIT_FLAG.test(f));
}

export type HostPathResolution =
  | { ok: true; hostPath: string; mount: VolumeMount; volume: Volume; hostPathType: string }
  | { ok: false; problem: string; advice: string };

/**
 * Where `containerPath` lives on the node, following the volumeMount that
 * covers it (the longest mountPath that is the path or a parent of it).
 */
export function resolveHostPath(manifest: ApiserverManifest, containerPath: string): HostPathResolution {
  const target = path.normalize(containerPath);
  const covering = manifest.volumeMounts
    .filter((m) => {
      const mp = path.normalize(m.mountPath).replace(/\/$/, '');
      return target === mp || target.startsWith(`${mp}/`);
    })
    .sort((a, b) => b.mountPath.length - a.mountPath.length);
  const mount = covering[0];
  if (!mount) {
    return {
      ok: false,
      problem: `no volumeMount of the kube-apiserver container covers ${target}`,
      advice:
        `The apiserver runs in a container: it only sees node files that are mounted into it. Add a hostPath volume for ${target} ` +
        "(or its directory) under spec.volumes and a volumeMount with the same name and mountPath under the container's volumeMounts.",
    };
  }
  const volume = manifest.volumes.find((v) => v.name === mount.name);
  if (!volume) {
    return {
      ok: false,
      problem: `volumeMount "${mount.name}" (mountPath ${mount.mountPath}) names a volume that spec.volumes does not define`,
      advice: `kubelet rejects the pod when a volumeMount has no volume of the same name. Add a volume named "${mount.name}" under spec.volumes, or fix the name so both match.`,
    };
  }
  if (!volume.hostPath) {
    return {
      ok: false,
      problem: `volume "${volume.name}" is not a hostPath volume`,
      advice: 'A static pod reads node files through hostPath volumes: hostPath: {path: /on/the/node, type: File}.',
    };
  }
  const mp = path.normalize(mount.mountPath).replace(/\/$/, '');
  const rest = target === mp ? '' : target.slice(mp.length + 1);
  const base = mount.subPath ? path.join(volume.hostPath.path, mount.subPath) : volume.hostPath.path;
  return {
    ok: true,
    hostPath: rest ? path.join(base, rest) : path.normalize(base),
    mount,
    volume,
    hostPathType: volume.hostPath.type ?? '',
  };
}
