// Is the cluster fully working? Labs that edit static-pod manifests restart
// the API server, which takes the controller manager and scheduler (they lose
// their leases and exit) and, with them, everything that needs a controller.
// After such a lab's reset the engine asks this module, component by
// component, and says what it is still waiting for; the final item is
// behaviour, a real DNS question through the DNS Service from a node.
import type { V1Pod } from '@kubernetes/client-node';
import type { HealthItem } from '../protocol.js';
import type { ClusterView } from './cluster-view.js';
import { dnsProbeArgv, parseDnsAnswer, PROBE_NAME } from './dns-probe.js';

export type { HealthItem };

/** Control-plane and add-on pods every kind cluster runs, by label in kube-system. */
const POD_COMPONENTS: { component: string; selectors: string[] }[] = [
  { component: 'controller manager', selectors: ['component=kube-controller-manager'] },
  { component: 'scheduler', selectors: ['component=kube-scheduler'] },
  { component: 'CoreDNS', selectors: ['k8s-app=kube-dns'] },
  { component: 'kube-proxy', selectors: ['k8s-app=kube-proxy'] },
  // kind's kindnetd online; the offline image's own DaemonSet otherwise.
  { component: 'pod network', selectors: ['app=kindnet', 'app=hardening-lab-pod-network'] },
];

const CALL = { timeoutMs: 5_000 };

function ready(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** "CrashLoopBackOff, 6 restarts" for the first container that is not ready. */
function notReadyReason(pod: V1Pod): string {
  const status = pod.status?.containerStatuses?.find((c) => !c.ready);
  if (!status) return pod.status?.phase ?? 'not ready';
  const state = status.state?.waiting?.reason ?? (status.state?.running ? 'running, not ready' : 'terminated');
  return `${state}${status.restartCount ? `, ${status.restartCount} restarts` : ''}`;
}

async function podComponent(view: ClusterView, component: string, selectors: string[]): Promise<HealthItem> {
  for (const labelSelector of selectors) {
    const pods = await view.listPods('kube-system', { labelSelector, ...CALL });
    if (pods.length === 0) continue;
    const notReady = pods.filter((p) => !ready(p));
    return notReady.length === 0
      ? { component, ok: true, found: `${pods.length}/${pods.length} pods ready` }
      : {
          component,
          ok: false,
          found: `${pods.length - notReady.length}/${pods.length} pods ready (${notReady
            .map((p) => `${p.metadata?.name ?? '?'}: ${notReadyReason(p)}`)
            .join('; ')})`,
        };
  }
  return { component, ok: false, found: `no pods in kube-system with ${selectors.join(' or ')}` };
}

async function dnsAnswers(view: ClusterView): Promise<HealthItem> {
  const component = 'cluster DNS';
  const service = (await view.getObject(
    { apiVersion: 'v1', kind: 'Service', name: 'kube-dns', namespace: 'kube-system' },
    CALL,
  )) as { spec?: { clusterIP?: string } } | undefined;
  const ip = service?.spec?.clusterIP;
  if (!ip) return { component, ok: false, found: 'no kube-dns Service with a cluster IP in kube-system' };
  const [node] = await view.nodes(CALL);
  if (!node) return { component, ok: false, found: 'no node to ask from' };
  const result = await view.execOnNode(node.target, dnsProbeArgv(ip), { timeoutMs: 10_000 });
  if (result.exitCode === 2) return { component, ok: false, found: `nothing answers on ${ip}:53 (kube-proxy rules?)` };
  const answer = parseDnsAnswer(result.stdout);
  return answer.ok
    ? { component, ok: true, found: `${PROBE_NAME} → ${answer.addresses.join(', ')} (asked ${ip} from ${node.target})` }
    : { component, ok: false, found: `${PROBE_NAME} via ${ip} from ${node.target}: ${answer.reason}` };
}

/** Every component, each judged on its own: one failing read does not hide the others. */
export async function clusterHealth(view: ClusterView): Promise<HealthItem[]> {
  const api = await view.getNamespace('kube-system', CALL).then(
    (ns): HealthItem => ({ component: 'API server', ok: ns !== undefined, found: ns ? 'answers' : 'no kube-system' }),
    (error: unknown): HealthItem => ({ component: 'API server', ok: false, found: errorText(error) }),
  );
  if (!api.ok) return [api];
  const items = await Promise.all([
    ...POD_COMPONENTS.map(({ component, selectors }) =>
      podComponent(view, component, selectors).catch((error: unknown): HealthItem => ({
        component,
        ok: false,
        found: errorText(error),
      })),
    ),
    dnsAnswers(view).catch((error: unknown): HealthItem => ({
      component: 'cluster DNS',
      ok: false,
      found: errorText(error),
    })),
  ]);
  return [api, ...items];
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.slice(0, 200) ?? text;
}

export interface SettleOptions {
  /** Give up after this long (the result says what was still missing). */
  deadlineMs: number;
  /** Called whenever the set of components still awaited changes. */
  say: (line: string) => void;
  pollMs?: number;
}

/** Polls clusterHealth until every item is ok or the deadline passes; returns the last items. */
export async function waitForClusterHealth(view: ClusterView, options: SettleOptions): Promise<HealthItem[]> {
  const started = Date.now();
  let lastSaid = '';
  for (;;) {
    const items = await clusterHealth(view);
    const waiting = items.filter((i) => !i.ok);
    const seconds = Math.round((Date.now() - started) / 1000);
    if (waiting.length === 0) {
      options.say(`cluster healthy after ${seconds} s: ${items.map((i) => i.component).join(', ')}`);
      return items;
    }
    const line = `waiting for ${waiting.map((i) => `${i.component} (${i.found})`).join('; ')}`;
    if (line !== lastSaid) options.say(`[${seconds} s] ${line}`);
    lastSaid = line;
    if (Date.now() - started > options.deadlineMs) return items;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 2_000));
  }
}
