// TEST DOUBLE. Node commands and files go to the provider (in tests, the
// LocalShellStandInProvider's local shells, so a step's "solution" can change
// what the check sees); Kubernetes reads and pod execs are answered from a
// recording. Lets route and browser tests drive a real fail → solve → pass
// flow with no cluster.
import type { CoreV1Event, KubernetesObject, V1Namespace, V1Pod } from '@kubernetes/client-node';
import type { ClusterProvider } from '../cluster/provider.js';
import type { ClusterNode } from '../protocol.js';
import type { CallOptions, ClusterView, ExecResult, ListOptions, LogOptions, ObjectRef } from './cluster-view.js';
import { NodeAccess } from './node-access.js';
import { RecordedClusterView, type Recording } from './recorded-cluster-view.js';

export class StandInClusterView implements ClusterView {
  private readonly recorded: RecordedClusterView;
  private readonly nodeAccess: NodeAccess;

  constructor(provider: ClusterProvider, recording: Recording = {}) {
    this.recorded = new RecordedClusterView(recording);
    this.nodeAccess = new NodeAccess(provider);
  }

  getPod(namespace: string, name: string, options?: CallOptions): Promise<V1Pod | undefined> {
    return this.recorded.getPod(namespace, name, options);
  }
  listPods(namespace: string, options?: ListOptions): Promise<V1Pod[]> {
    return this.recorded.listPods(namespace, options);
  }
  getNamespace(name: string, options?: CallOptions): Promise<V1Namespace | undefined> {
    return this.recorded.getNamespace(name, options);
  }
  getObject(ref: ObjectRef, options?: CallOptions): Promise<KubernetesObject | undefined> {
    return this.recorded.getObject(ref, options);
  }
  eventsFor(namespace: string, objectName: string, options?: CallOptions): Promise<CoreV1Event[]> {
    return this.recorded.eventsFor(namespace, objectName, options);
  }
  podLogs(namespace: string, pod: string, options?: LogOptions): Promise<string> {
    return this.recorded.podLogs(namespace, pod, options);
  }
  execInPod(
    target: { namespace: string; pod: string; container?: string },
    argv: string[],
    options?: CallOptions,
  ): Promise<ExecResult> {
    return this.recorded.execInPod(target, argv, options);
  }
  execOnNode(node: string, argv: string[], options?: CallOptions): Promise<ExecResult> {
    return this.nodeAccess.execOnNode(node, argv, options);
  }
  readNodeFile(node: string, path: string, options?: CallOptions): Promise<string | undefined> {
    return this.nodeAccess.readNodeFile(node, path, options);
  }
  nodes(options?: CallOptions): Promise<ClusterNode[]> {
    return this.nodeAccess.nodes(options);
  }
}
