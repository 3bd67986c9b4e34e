// Is the cluster fully working? Labs that edit static-pod manifests restart
// the API server, which takes the controller manager and scheduler (they lose
// their leases and exit) and, with them, everything that needs a controller.
// After such a lab's reset the engine asks this module, component by
// component, and says what it is still waiting for; the last two items are
// behaviour: the API through its Service IP, and a real DNS question through
// the DNS Service from a node, for a name newer than the restart.
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

/**
 * A Service the health check creates afresh before it waits: CoreDNS serves
 * names from a cache it fills by watching the API through the kubernetes
 * Service, so after an apiserver restart it keeps answering old names while a
 * Service created since is NXDOMAIN (seen on kind 1.34 for up to two minutes).
 * Only a name newer than the restart proves DNS has caught up.
 */
export const DNS_CANARY = { namespace: 'kube-system', name: 'hardening-lab-dns-canary' } as const;

async function serviceIp(view: ClusterView, namespace: string, name: string): Promise<string | undefined> {
  const service = (await view.getObject({ apiVersion: 'v1', kind: 'Service', name, namespace }, CALL)) as
    { spec?: { clusterIP?: string } } | undefined;
  return service?.spec?.clusterIP || undefined;
}

async function dnsAnswers(view: ClusterView, node: string): Promise<HealthItem> {
  const component = 'cluster DNS';
  const dnsIp = await serviceIp(view, 'kube-system', 'kube-dns');
  if (!dnsIp) return { component, ok: false, found: 'no kube-dns Service with a cluster IP in kube-system' };
  // The canary when there is one (a name newer than the last restart), else the API's own name.
  const canaryIp = await serviceIp(view, DNS_CANARY.namespace, DNS_CANARY.name);
  const name = canaryIp ? `${DNS_CANARY.name}.${DNS_CANARY.namespace}.svc.cluster.local` : PROBE_NAME;
  const result = await view.execOnNode(node, dnsProbeArgv(dnsIp, name), { timeoutMs: 10_000 });
  if (result.exitCode === 2)
    return { component, ok: false, found: `nothing answers on ${dnsIp}:53 from node ${node} (kube-proxy rules?)` };
  const answer = parseDnsAnswer(result.stdout);
  if (!answer.ok) return { component, ok: false, found: `${name} via ${dnsIp} from ${node}: ${answer.reason}` };
  if (canaryIp && !answer.addresses.includes(canaryIp))
    return {
      component,
      ok: false,
      found: `${name} → ${answer.addresses.join(', ')}, but the Service's IP is ${canaryIp}: CoreDNS answers from an old view of the API`,
    };
  return { component, ok: true, found: `${name} → ${answer.addresses.join(', ')} (asked ${dnsIp} from ${node})` };
}

/**
 * Pods reach the API through the kubernetes Service's IP, which works only
 * once the restarted apiserver has re-added its address and kube-proxy has
 * written the rules for it (seen: a minute after the apiserver answered).
 * Any HTTP answer through that IP proves the path.
 */
const API_VIA_SERVICE = 'API server through its Service IP (kube-proxy)';

async function apiThroughService(view: ClusterView, node: string): Promise<HealthItem> {
  const component = API_VIA_SERVICE;
  const ip = await serviceIp(view, 'default', 'kubernetes');
  if (!ip) return { component, ok: false, found: 'no kubernetes Service in default' };
  const result = await view.execOnNode(
    node,
    ['curl', '-sk', '-m', '3', '-o', '/dev/null', '-w', '%{http_code}', `https://${ip}:443/readyz`],
    { timeoutMs: 8_000 },
  );
  const code = result.stdout.trim();
  return /^[1-5]\d\d$/.test(code)
    ? { component, ok: true, found: `https://${ip}/readyz answered ${code} from node ${node}` }
    : { component, ok: false, found: `https://${ip}/readyz did not answer from node ${node} (no rules for it yet?)` };
}

/** Every component, each judged on its own: one failing read does not hide the others. */
export async function clusterHealth(view: ClusterView): Promise<HealthItem[]> {
  const api = await view.getNamespace('kube-system', CALL).then(
    (ns): HealthItem => ({ component: 'API server', ok: ns !== undefined, found: ns ? 'answers' : 'no kube-system' }),
    (error: unknown): HealthItem => ({ component: 'API server', ok: false, found: errorText(error) }),
  );
  if (!api.ok) return [api];
  const node = (await view.nodes(CALL))[0]?.target;
  const fromNode = async (component: string, probe: (node: string) => Promise<HealthItem>): Promise<HealthItem> =>
    node === undefined ? { component, ok: false, found: 'no node to ask from' } : probe(node);
  const items = await Promise.all([
    ...POD_COMPONENTS.map(({ component, selectors }) =>
      podComponent(view, component, selectors).catch((error: unknown): HealthItem => ({
        component,
        ok: false,
        found: errorText(error),
      })),
    ),
    fromNode(API_VIA_SERVICE, (n) => apiThroughService(view, n)).catch((error: unknown): HealthItem => ({
      component: API_VIA_SERVICE,
      ok: false,
      found: errorText(error),
    })),
    fromNode('cluster DNS', (n) => dnsAnswers(view, n)).catch((error: unknown): HealthItem => ({
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
  /** Run once before the first look (the engine recreates the DNS canary here). */
  prepare?: () => Promise<void>;
  /**
   * Run once when CoreDNS still answers from an old view of the API
   * STALE_DNS_REPAIR_AFTER_MS after the API answers through its Service IP
   * again; returns what it did, in words.
   */
  repairStaleDns?: () => Promise<string>;
  /** Default STALE_DNS_REPAIR_AFTER_MS. */
  staleDnsRepairAfterMs?: number;
}

/**
 * CoreDNS's informers relist on their own back-off once kube-proxy routes
 * the API's Service IP again: seen 30 s, and also more than 3 minutes with a
 * watch that never noticed the restart. Past this, restart it.
 */
export const STALE_DNS_REPAIR_AFTER_MS = 45_000;

/** Polls clusterHealth until every item is ok or the deadline passes; returns the last items. */
export async function waitForClusterHealth(view: ClusterView, options: SettleOptions): Promise<HealthItem[]> {
  const started = Date.now();
  let lastSaid = '';
  if (options.prepare) {
    try {
      await options.prepare();
    } catch (error) {
      options.say(`could not prepare the DNS canary (${errorText(error)}); judging DNS by kubernetes.default`);
    }
  }
  let apiRoutedSince: number | undefined;
  let repaired = false;
  for (;;) {
    const items = await clusterHealth(view);
    const waiting = items.filter((i) => !i.ok);
    const seconds = Math.round((Date.now() - started) / 1000);
    const routed = items.some((i) => i.component === API_VIA_SERVICE && i.ok);
    const dnsBroken = items.some((i) => i.component === 'cluster DNS' && !i.ok);
    apiRoutedSince = routed ? (apiRoutedSince ?? Date.now()) : undefined;
    if (
      options.repairStaleDns &&
      !repaired &&
      dnsBroken &&
      apiRoutedSince !== undefined &&
      Date.now() - apiRoutedSince >= (options.staleDnsRepairAfterMs ?? STALE_DNS_REPAIR_AFTER_MS)
    ) {
      repaired = true;
      try {
        options.say(`[${seconds} s] ${await options.repairStaleDns()}`);
      } catch (error) {
        options.say(`[${seconds} s] could not restart CoreDNS: ${errorText(error)}`);
      }
    }
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

/**
 * Deletes and creates the DNS canary Service (selector-less, so nothing runs)
 * with kubectl on the control plane: a name, and an IP, that CoreDNS can only
 * know if it has seen the API since now.
 */
export async function recreateDnsCanary(view: ClusterView, controlPlane = 'control-plane'): Promise<void> {
  const kubectl = (...args: string[]) =>
    view.execOnNode(controlPlane, ['kubectl', '--request-timeout=10s', '-n', DNS_CANARY.namespace, ...args], {
      timeoutMs: 20_000,
    });
  await kubectl('delete', 'service', DNS_CANARY.name, '--ignore-not-found', '--wait=true');
  const created = await kubectl('create', 'service', 'clusterip', DNS_CANARY.name, '--tcp=53:53');
  if (created.exitCode !== 0)
    throw new Error(`kubectl create service failed: ${(created.failure ?? created.stderr).trim().slice(0, 200)}`);
}

/**
 * Restarts every CoreDNS container in place (crictl stop on its node; kubelet
 * starts it again in the same pod, same IP), so it lists the API afresh
 * instead of waiting for a watch that may never notice the apiserver left.
 */
export async function restartCoreDns(view: ClusterView): Promise<string> {
  const pods = await view.listPods('kube-system', { labelSelector: 'k8s-app=kube-dns', ...CALL });
  const nodes = await view.nodes(CALL);
  const stopped: string[] = [];
  for (const pod of pods) {
    const node = nodes.find((n) => n.container === pod.spec?.nodeName);
    const id = pod.status?.containerStatuses?.[0]?.containerID?.replace(/^[a-z0-9-]+:\/\//, '');
    if (!node || !id) continue;
    const result = await view.execOnNode(node.target, ['crictl', 'stop', '--timeout', '5', id], { timeoutMs: 20_000 });
    if (result.exitCode === 0) stopped.push(`${pod.metadata?.name ?? id} on ${node.target}`);
  }
  if (stopped.length === 0) throw new Error('no CoreDNS container could be stopped');
  return `CoreDNS still answered from an old view of the API ${STALE_DNS_REPAIR_AFTER_MS / 1000} s after the API was routed again: restarted ${stopped.join(', ')} so it reads the API afresh`;
}
