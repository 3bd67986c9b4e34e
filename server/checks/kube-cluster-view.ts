// The real ClusterView: typed reads through @kubernetes/client-node, exec in
// pods through the Kubernetes exec API (a websocket to the apiserver, no
// docker exec, no kubectl), and node commands through the cluster provider.
// One instance per server: it keeps one keep-alive TLS agent so a sweep of
// checks reuses connections instead of paying a handshake per read.
import http from 'node:http';
import https from 'node:https';
import { PassThrough } from 'node:stream';
import {
  CoreV1Api,
  Exec,
  KubeConfig,
  KubernetesObjectApi,
  Observable,
  ServerConfiguration,
  createConfiguration,
  type ConfigurationOptions,
  type CoreV1Event,
  type KubernetesObject,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
  type V1Namespace,
  type V1Pod,
  type V1Status,
} from '@kubernetes/client-node';
import type { ClusterProvider } from '../cluster/provider.js';
import type { ClusterNode } from '../protocol.js';
import {
  DEFAULT_CALL_TIMEOUT_MS,
  type CallOptions,
  type ClusterView,
  type ExecResult,
  type ListOptions,
  type LogOptions,
  type ObjectRef,
} from './cluster-view.js';
import {
  CallTimeoutError,
  ClusterUnreachableError,
  explainUnreachable,
  unreachableReason,
} from './cluster-unreachable.js';
import { withDeadline } from './deadline.js';
import { NodeAccess } from './node-access.js';

export interface KubeClusterViewOptions {
  provider: ClusterProvider;
  /** Defaults to provider.kubeconfigPath(). */
  kubeconfigPath?: string;
  defaultTimeoutMs?: number;
}

export class KubeClusterView implements ClusterView {
  private readonly nodeAccess: NodeAccess;
  private readonly kc: KubeConfig;
  private readonly core: CoreV1Api;
  private readonly objects: KubernetesObjectApi;
  private readonly exec: Exec;
  private readonly defaultTimeoutMs: number;
  private agent: https.Agent | undefined;
  readonly server: string;

  constructor(options: KubeClusterViewOptions) {
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    this.nodeAccess = new NodeAccess(options.provider, this.defaultTimeoutMs);
    this.kc = new KubeConfig();
    this.kc.loadFromFile(options.kubeconfigPath ?? options.provider.kubeconfigPath());
    const cluster = this.kc.getCurrentCluster();
    if (!cluster)
      throw new Error(
        `The kubeconfig ${options.kubeconfigPath ?? options.provider.kubeconfigPath()} has no current cluster`,
      );
    this.server = cluster.server;
    const config = createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: this.kc },
      promiseMiddleware: [{ pre: async (ctx) => this.shareAgent(ctx), post: async (ctx: ResponseContext) => ctx }],
    });
    this.core = new CoreV1Api(config);
    this.objects = KubernetesObjectApi.makeApiClient(this.kc);
    this.exec = new Exec(this.kc);
  }

  /**
   * client-node builds a fresh https.Agent per request (new TLS handshake
   * each time); swap in one keep-alive agent with the same TLS material.
   */
  private shareAgent(ctx: RequestContext): RequestContext {
    const fresh = ctx.getAgent();
    if (fresh instanceof https.Agent) {
      this.agent ??= new https.Agent({ ...fresh.options, keepAlive: true, maxSockets: 32 });
      ctx.setAgent(this.agent);
    }
    return ctx;
  }

  private timeout(options?: CallOptions): number {
    return options?.timeoutMs ?? this.defaultTimeoutMs;
  }

  /** Per-call options that abort the HTTP request at the deadline. */
  private callOptions(timeoutMs: number): ConfigurationOptions {
    // The object-parameter API passes per-call options to the observable
    // layer, so this middleware speaks Observable (client-node's stub of it).
    const signalMiddleware: ObservableMiddleware = {
      pre: (ctx: RequestContext) => {
        ctx.setSignal(AbortSignal.timeout(timeoutMs));
        return new Observable(Promise.resolve(ctx));
      },
      post: (ctx: ResponseContext) => new Observable(Promise.resolve(ctx)),
    };
    return { middleware: [signalMiddleware], middlewareMergeStrategy: 'append' };
  }

  /** Runs one API call with a deadline; 404 → undefined; network trouble → ClusterUnreachableError. */
  private async api<T>(
    what: string,
    options: CallOptions | undefined,
    call: (opts: ConfigurationOptions) => Promise<T>,
  ): Promise<T | undefined> {
    const timeoutMs = this.timeout(options);
    try {
      return await withDeadline(call(this.callOptions(timeoutMs)), timeoutMs + 250, what);
    } catch (error) {
      if (httpStatus(error) === 404) return undefined;
      throw this.wrap(error, what, timeoutMs);
    }
  }

  private wrap(error: unknown, what: string, timeoutMs: number): Error {
    const reason = unreachableReason(error);
    if (reason)
      return new ClusterUnreachableError(explainUnreachable(reason, this.server, timeoutMs), reason, this.server, {
        cause: error,
      });
    return new Error(`${what} failed: ${errorText(error)}`, { cause: error });
  }

  async getPod(namespace: string, name: string, options?: CallOptions): Promise<V1Pod | undefined> {
    return this.api(`read pod ${namespace}/${name}`, options, (o) =>
      this.core.readNamespacedPod({ name, namespace }, o),
    );
  }

  async listPods(namespace: string, options: ListOptions = {}): Promise<V1Pod[]> {
    const list = await this.api(`list pods in ${namespace}`, options, (o) =>
      this.core.listNamespacedPod(
        {
          namespace,
          ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
          ...(options.fieldSelector ? { fieldSelector: options.fieldSelector } : {}),
        },
        o,
      ),
    );
    return list?.items ?? [];
  }

  async getNamespace(name: string, options?: CallOptions): Promise<V1Namespace | undefined> {
    return this.api(`read namespace ${name}`, options, (o) => this.core.readNamespace({ name }, o));
  }

  async getObject(ref: ObjectRef, options?: CallOptions): Promise<KubernetesObject | undefined> {
    const metadata = ref.namespace === undefined ? { name: ref.name } : { name: ref.name, namespace: ref.namespace };
    // The generic object API takes a full Configuration, not per-call
    // options, so its deadline is the race alone.
    return this.api(`read ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`, options, () =>
      this.objects.read({ apiVersion: ref.apiVersion, kind: ref.kind, metadata }),
    );
  }

  async eventsFor(namespace: string, objectName: string, options?: CallOptions): Promise<CoreV1Event[]> {
    const list = await this.api(`list events of ${namespace}/${objectName}`, options, (o) =>
      this.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${objectName}` }, o),
    );
    const time = (e: CoreV1Event) => new Date(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? 0).getTime();
    return (list?.items ?? []).sort((a, b) => time(a) - time(b));
  }

  /**
   * Logs are plain text, and the apiserver answers an empty log (a container
   * that has written nothing yet) with an empty body and no Content-Type,
   * which client-node's generated reader refuses to parse ("Cannot parse
   * content. No Content-Type defined."). So logs are read as raw text over
   * the same authenticated connection settings, whatever the headers say.
   */
  async podLogs(namespace: string, pod: string, options: LogOptions = {}): Promise<string> {
    const timeoutMs = this.timeout(options);
    const what = `logs of ${namespace}/${pod}`;
    const query = new URLSearchParams();
    if (options.container) query.set('container', options.container);
    if (options.previous) query.set('previous', 'true');
    if (options.tailLines) query.set('tailLines', String(options.tailLines));
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log${
      query.size > 0 ? `?${query.toString()}` : ''
    }`;
    let response: TextResponse;
    try {
      response = await withDeadline(this.getText(path, timeoutMs), timeoutMs + 250, what);
    } catch (error) {
      if (error instanceof CallTimeoutError) throw error;
      throw this.wrap(error, what, timeoutMs);
    }
    if (response.status >= 200 && response.status < 300) return response.body;
    // 400: no previous instance / container not started yet; 404: no pod. Both mean "no logs".
    if (response.status === 400 || response.status === 404) return '';
    throw new Error(`${what} failed: HTTP ${response.status} ${statusMessage(response.body)}`);
  }

  /** One GET whose body is returned as text, whatever its Content-Type (or none). */
  private async getText(path: string, timeoutMs: number): Promise<TextResponse> {
    const url = new URL(path, this.server);
    const options: https.RequestOptions = { method: 'GET', signal: AbortSignal.timeout(timeoutMs) };
    await this.kc.applyToHTTPSOptions(options);
    const plain = url.protocol === 'http:';
    // The agent client-node makes carries TLS material; a plain-HTTP server (tests) uses Node's default.
    if (plain) delete options.agent;
    const transport = plain ? http : https;
    return new Promise<TextResponse>((resolve, reject) => {
      const request = transport.request(url, options, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end();
    });
  }

  async execInPod(
    target: { namespace: string; pod: string; container?: string },
    argv: string[],
    options?: CallOptions,
  ): Promise<ExecResult> {
    const timeoutMs = this.timeout(options);
    const what = `exec ${JSON.stringify(argv)} in ${target.namespace}/${target.pod}`;
    const stdout = collect();
    const stderr = collect();
    let socket: { close(): void } | undefined;
    const run = new Promise<ExecResult>((resolve, reject) => {
      let status: V1Status | undefined;
      this.exec
        // An empty container name lets the apiserver pick the only container.
        .exec(
          target.namespace,
          target.pod,
          target.container ?? '',
          argv,
          stdout.stream,
          stderr.stream,
          null,
          false,
          (s) => {
            status = s;
          },
        )
        .then((ws) => {
          socket = ws;
          ws.on('close', () => resolve(execResultOf(status, stdout.text(), stderr.text())));
          ws.on('error', (error: Error) => reject(error));
        }, reject);
    });
    try {
      return await withDeadline(run, timeoutMs, what, () => socket?.close());
    } catch (error) {
      if (error instanceof CallTimeoutError) throw error;
      // The upgrade is refused with an HTTP status when the pod or container is missing.
      const text = errorText(error);
      if (/\b(404|400)\b|not found|is not valid for pod|container not found/i.test(text) && !unreachableReason(error)) {
        return { exitCode: null, stdout: '', stderr: '', failure: text };
      }
      throw this.wrap(error, what, timeoutMs);
    }
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

  /** Closes pooled connections (server shutdown, end of a CLI command). */
  close(): void {
    this.agent?.destroy();
  }
}

function collect(): { stream: PassThrough; text(): string } {
  const chunks: Buffer[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** The exec API reports the outcome on the status channel as a V1Status. */
export function execResultOf(status: V1Status | undefined, stdout: string, stderr: string): ExecResult {
  if (!status) return { exitCode: null, stdout, stderr, failure: 'the exec stream closed without a status' };
  if (status.status === 'Success') return { exitCode: 0, stdout, stderr };
  if (status.reason === 'NonZeroExitCode') {
    const code = Number(status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message);
    if (Number.isInteger(code)) return { exitCode: code, stdout, stderr };
  }
  return { exitCode: null, stdout, stderr, failure: status.message ?? status.reason ?? 'exec failed' };
}

interface TextResponse {
  status: number;
  body: string;
}

/** The apiserver's reason from a Status body, or the start of a non-JSON body. */
function statusMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.slice(0, 300);
}

function httpStatus(error: unknown): number | undefined {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'number') return error.code;
  return undefined;
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const body = (error as { body?: unknown }).body;
    if (typeof body === 'string' && body) {
      try {
        const parsed = JSON.parse(body) as { message?: unknown };
        if (typeof parsed.message === 'string') return parsed.message;
      } catch {
        return body.slice(0, 300);
      }
    }
    return error.message;
  }
  return String(error);
}
