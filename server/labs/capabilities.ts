// Host capabilities a lab can require (lab.yaml `requires`). Some labs cannot
// run on some hosts (AppArmor on macOS or SELinux hosts, Falco's eBPF probe
// without BTF); the page says so up front instead of failing mysteriously.
// Images a lab needs are declared separately (lab.yaml `images`) and probed
// through the cluster provider (server/cluster/image-presence.ts).
import fs from 'node:fs/promises';
import type { CapabilityReport } from '../protocol.js';

export type CapabilityProbe = (names: readonly string[]) => Promise<CapabilityReport[]>;

type Known = () => Promise<{ available: boolean; reason?: string }>;

const KNOWN: Record<string, Known> = {
  apparmor: async () => {
    const enabled = await readTrimmed('/sys/module/apparmor/parameters/enabled');
    return enabled === 'Y'
      ? { available: true }
      : {
          available: false,
          reason:
            'AppArmor is not enabled in this host kernel (/sys/module/apparmor/parameters/enabled is not Y). ' +
            'It needs a Linux host with AppArmor, e.g. Ubuntu or Debian; Docker Desktop on macOS and SELinux hosts (Fedora, RHEL) cannot run this lab.',
        };
  },
  btf: async () =>
    (await readTrimmed('/sys/kernel/btf/vmlinux', 1)) !== undefined
      ? { available: true }
      : {
          available: false,
          reason:
            "The host kernel has no BTF (/sys/kernel/btf/vmlinux): Falco's modern eBPF probe needs Linux ≥ 5.8 built with BTF.",
        },
  seccomp: async () => {
    const status = await readTrimmed('/proc/self/status');
    return status?.includes('Seccomp:')
      ? { available: true }
      : {
          available: false,
          reason: 'The host kernel does not report seccomp support (/proc/self/status has no Seccomp line).',
        };
  },
};

async function readTrimmed(file: string, limit?: number): Promise<string | undefined> {
  try {
    if (limit !== undefined) {
      const handle = await fs.open(file, 'r');
      await handle.close();
      return '';
    }
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/** Probes the host this server runs on (kind nodes share its kernel). */
export const probeHostCapabilities: CapabilityProbe = async (names) =>
  Promise.all(
    names.map(async (capability): Promise<CapabilityReport> => {
      const probe = KNOWN[capability];
      if (!probe)
        return {
          capability,
          available: false,
          reason: `Unknown capability "${capability}" (known: ${Object.keys(KNOWN).join(', ')}).`,
        };
      const result = await probe();
      return result.reason === undefined ? { capability, available: result.available } : { capability, ...result };
    }),
  );

export const KNOWN_CAPABILITIES = Object.keys(KNOWN);
