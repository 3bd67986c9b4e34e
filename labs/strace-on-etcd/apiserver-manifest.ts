// Reads the kube-apiserver static-pod manifest the way the kubelet will run
// it: which path the encryption flag names *inside the container*, which
// volumeMount makes that path exist, and which node path backs it. A flag
// without a matching mount is the classic way to crash-loop the apiserver.
import path from 'node:path/posix';
import type { V1Container, V1Pod, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { parseDocument } from 'yaml';

export const FLAG = '--encryption-provider-config';

export type ManifestReading =
  | { ok: false; problem: string }
  | {
      ok: true;
      pod: V1Pod;
      container: V1Container;
      /** The path the flag names (inside the container), if the flag is set. */
      flagPath?: string;
    };

export function readApiserverManifest(text: string): ManifestReading {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0)
    return { ok: false, problem: `YAML error: ${doc.errors[0]?.message.split('\n')[0] ?? 'unknown'}` };
  const pod = doc.toJS() as V1Pod | null;
  const containers = pod?.spec?.containers ?? [];
  const container = containers.find((c) => c.name === 'kube-apiserver') ?? containers[0];
  if (!pod || !container) return { ok: false, problem: 'no containers in the manifest' };
  const flagPath = flagValue([...(container.command ?? []), ...(container.args ?? [])]);
  return flagPath === undefined ? { ok: true, pod, container } : { ok: true, pod, container, flagPath };
}

/** `--flag=value` or `--flag value` (pflag accepts both); the last one wins, as in pflag. */
export function flagValue(argv: readonly string[], flag: string = FLAG): string | undefined {
  let value: string | undefined;
  argv.forEach((arg, i) => {
    if (arg.startsWith(`${flag}=`)) value = arg.slice(flag.length + 1);
    else if (arg === flag && i + 1 < argv.length) value = argv[i + 1];
  });
  return value;
}

export interface MountResolution {
  mount?: V1VolumeMount;
  volume?: V1Volume;
  /** Where the file lives on the node, when a hostPath volume backs the mount. */
  nodePath?: string;
  /** True when the mount is the file itself rather than a directory above it. */
  mountsFile: boolean;
}

/**
 * The mount that makes `containerPath` visible in the container: the one
 * with the longest mountPath that is the path or a directory above it.
 */
export function resolveMount(pod: V1Pod, container: V1Container, containerPath: string): MountResolution {
  const target = path.normalize(containerPath);
  const covering = (container.volumeMounts ?? [])
    .filter((m) => {
      const mp = path.normalize(m.mountPath).replace(/\/$/, '');
      return target === mp || target.startsWith(`${mp}/`);
    })
    .sort((a, b) => b.mountPath.length - a.mountPath.length);
  const mount = covering[0];
  if (!mount) return { mountsFile: false };
  const mountPath = path.normalize(mount.mountPath).replace(/\/$/, '');
  const mountsFile = target === mountPath;
  const volume = (pod.spec?.volumes ?? []).find((v) => v.name === mount.name);
  const result: MountResolution = { mount, mountsFile };
  if (volume) result.volume = volume;
  if (volume?.hostPath) {
    const base = mount.subPath ? path.join(volume.hostPath.path, mount.subPath) : volume.hostPath.path;
    result.nodePath = path.join(base, target.slice(mountPath.length)).replace(/(.)\/$/, '$1');
  }
  return result;
}
