// Wraps a real ClusterView and writes down what it answered, in the format
// RecordedClusterView reads. Fixtures for check tests are then recorded from
// a real cluster instead of written by hand (scripts/record-fixture.ts).
import fs from 'node:fs/promises';
import type { CoreV1Event, KubernetesObject, V1Namespace, V1Pod } from '@kubernetes/client-node';
import type { ClusterNode } from '../protocol.js';
import type { CallOptions, ClusterView, ExecResult, ListOptions, LogOptions, ObjectRef } from './cluster-view.js';
import type { Recording } from './recorded-cluster-view.js';

type Recorded = Required<Pick<Recording, 'objects' | 'execs' | 'nodeExecs' | 'nodeFiles' | 'logs'>> & {
  description?: string;
  nodes?: ClusterNode[];
};

export class RecordingClusterView implements ClusterView {
  private readonly recording: Recorded = { objects: [], execs: [], nodeExecs: [], nodeFiles: {}, logs: [] };

  constructor(private readonly inner: ClusterView) {}

  private keep(object: KubernetesObject | undefined, apiVersion: string, kind: string): void {
    if (!object) return;
    // Typed client objects omit apiVersion/kind; the recording needs them to answer lookups.
    const plain = JSON.parse(
      JSON.stringify({ ...object, apiVersion: object.apiVersion ?? apiVersion, kind: object.kind ?? kind }),
    ) as Recorded['objects'][number];
    const name = plain.metadata.name;
    const namespace = plain.metadata.namespace;
    const index = this.recording.objects.findIndex(
      (o) => o.kind === plain.kind && o.metadata.name === name && o.metadata.namespace === namespace,
    );
    if (index >= 0) this.recording.objects[index] = plain;
    else this.recording.objects.push(plain);
  }

  async getPod(namespace: string, name: string, options?: CallOptions): Promise<V1Pod | undefined> {
    const pod = await this.inner.getPod(namespace, name, options);
    this.keep(pod, 'v1', 'Pod');
    return pod;
  }
  async listPods(namespace: string, options?: ListOptions): Promise<V1Pod[]> {
    const pods = await this.inner.listPods(namespace, options);
    for (const pod of pods) this.keep(pod, 'v1', 'Pod');
    return pods;
  }
  async getNamespace(name: string, options?: CallOptions): Promise<V1Namespace | undefined> {
    const ns = await this.inner.getNamespace(name, options);
    this.keep(ns, 'v1', 'Namespace');
    return ns;
  }
  async getObject(ref: ObjectRef, options?: CallOptions): Promise<KubernetesObject | undefined> {
    const object = await this.inner.getObject(ref, options);
    this.keep(object, ref.apiVersion, ref.kind);
    return object;
  }
  async eventsFor(namespace: string, objectName: string, options?: CallOptions): Promise<CoreV1Event[]> {
    const events = await this.inner.eventsFor(namespace, objectName, options);
    for (const event of events) this.keep(event as KubernetesObject, 'v1', 'Event');
    return events;
  }
  async podLogs(namespace: string, pod: string, options: LogOptions = {}): Promise<string> {
    const text = await this.inner.podLogs(namespace, pod, options);
    this.recording.logs.push({
      namespace,
      pod,
      ...(options.container ? { container: options.container } : {}),
      ...(options.previous ? { previous: true } : {}),
      text,
    });
    return text;
  }
  async execInPod(
    target: { namespace: string; pod: string; container?: string },
    argv: string[],
    options?: CallOptions,
  ): Promise<ExecResult> {
    const result = await this.inner.execInPod(target, argv, options);
    this.recording.execs.push({ ...target, argv, result });
    return result;
  }
  async execOnNode(node: string, argv: string[], options?: CallOptions): Promise<ExecResult> {
    const result = await this.inner.execOnNode(node, argv, options);
    this.recording.nodeExecs.push({ node, argv, result });
    return result;
  }
  async readNodeFile(node: string, path: string, options?: CallOptions): Promise<string | undefined> {
    const text = await this.inner.readNodeFile(node, path, options);
    if (text !== undefined) this.recording.nodeFiles[`${node}:${path}`] = text;
    return text;
  }
  async nodes(options?: CallOptions): Promise<ClusterNode[]> {
    const nodes = await this.inner.nodes(options);
    this.recording.nodes = nodes;
    return nodes;
  }

  toRecording(description?: string): Recording {
    return { ...(description ? { description } : {}), ...structuredClone(this.recording) };
  }

  async save(file: string, description?: string): Promise<void> {
    await fs.writeFile(file, `${JSON.stringify(this.toRecording(description), null, 2)}\n`);
  }
}
