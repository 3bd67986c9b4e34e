// One interface for "a cluster the labs run against". The kind provider is the
// product's; a local-shell stand-in serves tests that cannot run a cluster.
// Later providers (an existing cluster, per-learner VMs) plug in here without
// touching labs or terminals.
import type { ClusterNode, ClusterProgress, ClusterStatus } from '../protocol.js';

/** A process to start: always an argv array, never a shell string. */
export interface Command {
  file: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

export interface EnsureOptions {
  onProgress?: (event: ClusterProgress) => void;
  signal?: AbortSignal;
}

export interface ClusterProvider {
  /** Cluster name, e.g. "hardening-lab". */
  readonly name: string;
  /** Provider kind for display: "kind", "local-shell-stand-in". */
  readonly kind: string;
  /** Create the cluster if absent, reuse it if present. */
  ensure(options?: EnsureOptions): Promise<void>;
  status(): Promise<ClusterStatus>;
  nodes(): Promise<ClusterNode[]>;
  /** Path of the kubeconfig the product owns (never ~/.kube/config). */
  kubeconfigPath(): string;
  /**
   * An interactive login shell on a node (for a terminal tab, run under a
   * PTY). `shellTag` names the shell process so closeNodeShell can find it.
   */
  nodeShellCommand(target: string, shellTag?: string): Command;
  /**
   * End a tagged node shell. Killing a `docker exec` client does not kill
   * the process it started inside the container, so a reaped terminal would
   * otherwise leave its shell running in the node forever.
   */
  closeNodeShell?(target: string, shellTag: string): Promise<void>;
  /** A non-interactive command on a node (for checks and solutions). */
  nodeCommand(target: string, argv: string[]): Command;
  /**
   * Copies images from the host's Docker into every node (kind load), for
   * hosts whose nodes cannot pull them. `say` gets progress lines.
   */
  loadImages?(images: readonly string[], say: (line: string) => void): Promise<void>;
  delete(): Promise<void>;
}
