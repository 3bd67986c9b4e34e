// TEST FIXTURE. A ClusterView that answers from a recording: Kubernetes
// objects as the API returned them and the results of exec calls. Unit tests
// of lab checks use it so they need no cluster and no network. Anything not
// recorded is an error, so a test breaks loudly when a check starts to look
// at something new.
import fs from 'node:fs/promises';
import type { CoreV1Event, KubernetesObject, V1Namespace, V1Pod } from '@kubernetes/client-node';
import { z } from 'zod';
import type { ClusterNode } from '../protocol.js';
import { clusterNodeSchema } from '../protocol.js';
import type { CallOptions, ClusterView, ExecResult, ListOptions, LogOptions, ObjectRef } from './cluster-view.js';
import { ClusterUnreachableError, explainUnreachable } from './cluster-unreachable.js';

const execResultSchema = z.object({
  exitCode: z.number().int().nullable(),
  stdout: z.string().default(''),
  stderr: z.string().default(''),
  failure: z.string().optional(),
});

const kubeObjectSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.looseObject({ name: z.string(), namespace: z.string().optional() }),
});

export const recordingSchema = z.strictObject({
  /** Free text: what this recording shows (e.g. "blog manifest, readonlyRootFilesystem"). */
  description: z.string().optional(),
  objects: z.array(kubeObjectSchema).default([]),
  execs: z
    .array(
      z.strictObject({
        namespace: z.string(),
        pod: z.string(),
        container: z.string().optional(),
        argv: z.array(z.string()),
        result: execResultSchema,
      }),
    )
    .default([]),
  nodeExecs: z
    .array(z.strictObject({ node: z.string(), argv: z.array(z.string()), result: execResultSchema }))
    .default([]),
  /** "node:/absolute/path" → content. */
  nodeFiles: z.record(z.string(), z.string()).default({}),
  logs: z
    .array(
      z.strictObject({
        namespace: z.string(),
        pod: z.string(),
        container: z.string().optional(),
        previous: z.boolean().optional(),
        text: z.string(),
      }),
    )
    .default([]),
  nodes: z.array(clusterNodeSchema).optional(),
  /** Every call fails as if the apiserver were down (tests of the error path). */
  unreachable: z.boolean().optional(),
});
export type Recording = z.input<typeof recordingSchema>;
type ParsedRecording = z.output<typeof recordingSchema>;

/** The server a recording pretends to talk to (kind's usual address). */
export const RECORDED_SERVER = 'https://127.0.0.1:6443';

const DEFAULT_NODES: ClusterNode[] = [
  { target: 'control-plane', container: 'recorded-control-plane', role: 'control-plane', ready: true },
  { target: 'worker', container: 'recorded-worker', role: 'worker', ready: true },
];

export class RecordedClusterView implements ClusterView {
  private readonly recording: ParsedRecording;
  /** Calls made, in order: lets tests assert what a check looked at. */
  readonly calls: string[] = [];

  constructor(recording: Recording) {
    this.recording = recordingSchema.parse(recording);
  }

  static async fromFile(file: string | URL): Promise<RecordedClusterView> {
    const text = await fs.readFile(file, 'utf8');
    try {
      return new RecordedClusterView(JSON.parse(text) as Recording);
    } catch (error) {
      throw new Error(`Bad recording ${String(file)}`, { cause: error });
    }
  }

  /** A copy with changes: handy for "same cluster, but this exec failed". */
  with(patch: (recording: ParsedRecording) => Recording): RecordedClusterView {
    return new RecordedClusterView(patch(structuredClone(this.recording)));
  }

  private enter(call: string): void {
    this.calls.push(call);
    if (this.recording.unreachable) {
      throw new ClusterUnreachableError(
        explainUnreachable('refused', RECORDED_SERVER, 5000),
        'refused',
        RECORDED_SERVER,
        {
          cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }),
        },
      );
    }
  }

  private find(apiVersion: string, kind: string, name: string, namespace?: string): KubernetesObject | undefined {
    const found = this.recording.objects.find(
      (o) =>
        o.apiVersion === apiVersion &&
        o.kind === kind &&
        o.metadata.name === name &&
        (namespace === undefined || o.metadata.namespace === namespace),
    );
    return found === undefined ? undefined : (structuredClone(found) as KubernetesObject);
  }

  async getPod(namespace: string, name: string, _options?: CallOptions): Promise<V1Pod | undefined> {
    this.enter(`getPod ${namespace}/${name}`);
    return this.find('v1', 'Pod', name, namespace) as V1Pod | undefined;
  }

  async listPods(namespace: string, options: ListOptions = {}): Promise<V1Pod[]> {
    this.enter(`listPods ${namespace}`);
    const wanted = parseLabelSelector(options.labelSelector);
    return this.recording.objects
      .filter((o) => o.apiVersion === 'v1' && o.kind === 'Pod' && o.metadata.namespace === namespace)
      .filter((o) => {
        const labels = (o.metadata as { labels?: Record<string, string> }).labels ?? {};
        return Object.entries(wanted).every(([k, v]) => labels[k] === v);
      })
      .map((o) => structuredClone(o) as V1Pod);
  }

  async getNamespace(name: string, _options?: CallOptions): Promise<V1Namespace | undefined> {
    this.enter(`getNamespace ${name}`);
    return this.find('v1', 'Namespace', name) as V1Namespace | undefined;
  }

  async getObject(ref: ObjectRef, _options?: CallOptions): Promise<KubernetesObject | undefined> {
    this.enter(`getObject ${ref.apiVersion}/${ref.kind} ${ref.namespace ?? ''}/${ref.name}`);
    return this.find(ref.apiVersion, ref.kind, ref.name, ref.namespace);
  }

  async eventsFor(namespace: string, objectName: string, _options?: CallOptions): Promise<CoreV1Event[]> {
    this.enter(`eventsFor ${namespace}/${objectName}`);
    return this.recording.objects
      .filter((o) => o.kind === 'Event' && o.metadata.namespace === namespace)
      .map((o) => structuredClone(o) as unknown as CoreV1Event)
      .filter((e) => e.involvedObject.name === objectName);
  }

  async podLogs(namespace: string, pod: string, options: LogOptions = {}): Promise<string> {
    this.enter(`podLogs ${namespace}/${pod}${options.previous ? ' previous' : ''}`);
    const entry = this.recording.logs.find(
      (l) =>
        l.namespace === namespace &&
        l.pod === pod &&
        (options.container === undefined || l.container === undefined || l.container === options.container) &&
        Boolean(l.previous) === Boolean(options.previous),
    );
    return entry?.text ?? '';
  }

  async execInPod(
    target: { namespace: string; pod: string; container?: string },
    argv: string[],
    _options?: CallOptions,
  ): Promise<ExecResult> {
    this.enter(`execInPod ${target.namespace}/${target.pod} ${JSON.stringify(argv)}`);
    const entry = this.recording.execs.find(
      (e) =>
        e.namespace === target.namespace &&
        e.pod === target.pod &&
        (target.container === undefined || e.container === undefined || e.container === target.container) &&
        sameArgv(e.argv, argv),
    );
    if (!entry) {
      throw new Error(
        `RecordedClusterView: no recorded exec in ${target.namespace}/${target.pod} for ${JSON.stringify(argv)}`,
      );
    }
    return { ...entry.result };
  }

  async execOnNode(node: string, argv: string[], _options?: CallOptions): Promise<ExecResult> {
    this.enter(`execOnNode ${node} ${JSON.stringify(argv)}`);
    const entry = this.recording.nodeExecs.find((e) => e.node === node && sameArgv(e.argv, argv));
    if (!entry) throw new Error(`RecordedClusterView: no recorded exec on node ${node} for ${JSON.stringify(argv)}`);
    return { ...entry.result };
  }

  async readNodeFile(node: string, path: string, _options?: CallOptions): Promise<string | undefined> {
    this.enter(`readNodeFile ${node}:${path}`);
    return this.recording.nodeFiles[`${node}:${path}`];
  }

  async nodes(_options?: CallOptions): Promise<ClusterNode[]> {
    this.enter('nodes');
    return this.recording.nodes ?? DEFAULT_NODES;
  }
}

function sameArgv(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Equality selectors only ("a=b,c=d"): enough for recorded tests. */
function parseLabelSelector(selector: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (selector ?? '').split(',')) {
    const [k, v] = part.split('=');
    if (k && v !== undefined) out[k.trim()] = v.trim();
  }
  return out;
}
