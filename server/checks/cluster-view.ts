// The only door a lab check has into the cluster. Checks are written against
// this interface, never against a client library or a shell, so that the same
// check runs against the real cluster (KubeClusterView) and against recorded
// objects in unit tests (RecordedClusterView). Every method has a deadline:
// a check must never hang the page.
import type { CoreV1Event, KubernetesObject, V1Namespace, V1Pod } from '@kubernetes/client-node';
import type { ClusterNode } from '../protocol.js';

/** Default deadline for one call (API read, exec, node command). */
export const DEFAULT_CALL_TIMEOUT_MS = 5_000;

export interface CallOptions {
  /** Deadline for this call; DEFAULT_CALL_TIMEOUT_MS when absent. */
  timeoutMs?: number;
}

/** The outcome of a command run in a container or on a node. */
export interface ExecResult {
  /** Exit status; null when the command never ran (binary missing, container gone). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /**
   * Why the command did not run or ended abnormally, in the runtime's words,
   * e.g. `exec: "bash": executable file not found in $PATH`. Absent on a
   * plain zero or non-zero exit.
   */
  failure?: string;
}

/** Identifies any object, typed or not (CRDs, audit policy ConfigMaps, ...). */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  /** Omit for cluster-scoped kinds. */
  namespace?: string;
}

export interface ListOptions extends CallOptions {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface LogOptions extends CallOptions {
  container?: string;
  /** Logs of the previous (crashed) instance of the container. */
  previous?: boolean;
  tailLines?: number;
}

export interface ClusterView {
  /** The pod, or undefined when it does not exist (404 is an answer, not an error). */
  getPod(namespace: string, name: string, options?: CallOptions): Promise<V1Pod | undefined>;
  listPods(namespace: string, options?: ListOptions): Promise<V1Pod[]>;
  getNamespace(name: string, options?: CallOptions): Promise<V1Namespace | undefined>;
  /** Any object by apiVersion/kind/name; undefined when absent. */
  getObject(ref: ObjectRef, options?: CallOptions): Promise<KubernetesObject | undefined>;
  /** Events about one object (newest last), e.g. probe failures. */
  eventsFor(namespace: string, objectName: string, options?: CallOptions): Promise<CoreV1Event[]>;
  /** Container logs; empty string when there are none (yet). */
  podLogs(namespace: string, pod: string, options?: LogOptions): Promise<string>;
  /** Runs argv in a container through the Kubernetes exec API (no TTY, no stdin). */
  execInPod(
    target: { namespace: string; pod: string; container?: string },
    argv: string[],
    options?: CallOptions,
  ): Promise<ExecResult>;
  /** Runs argv on a node ("control-plane", "worker") as root. */
  execOnNode(node: string, argv: string[], options?: CallOptions): Promise<ExecResult>;
  /** A file on a node; undefined when it does not exist. */
  readNodeFile(node: string, path: string, options?: CallOptions): Promise<string | undefined>;
  nodes(options?: CallOptions): Promise<ClusterNode[]>;
}
