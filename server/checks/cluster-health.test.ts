// clusterHealth judges each component on its own, from pods in kube-system
// and a real DNS answer (here: recorded, with a TEST DOUBLE view).
import { describe, expect, it } from 'vitest';
import { clusterHealth, waitForClusterHealth } from './cluster-health.js';
import { dnsProbeArgv } from './dns-probe.js';
import { RecordedClusterView, type Recording } from './recorded-cluster-view.js';

function pod(name: string, labels: Record<string, string>, ready: boolean, waiting?: string, restarts = 0) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'kube-system', labels },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [
        {
          name: 'c',
          ready,
          restartCount: restarts,
          state: waiting ? { waiting: { reason: waiting } } : { running: {} },
        },
      ],
    },
  };
}

const KUBE_SYSTEM = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } };
const DNS_SERVICE = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'kube-dns', namespace: 'kube-system' },
  spec: { clusterIP: '10.96.0.10' },
};
// od's dump of CoreDNS's answer: kubernetes.default.svc.cluster.local → 10.96.0.1.
const ANSWER =
  '00 5b 4c 48 85 00 00 01 00 01 00 00 00 00 0a 6b 75 62 65 72 6e 65 74 65 73 07 64 65 66 61 75 6c 74 03 73 76 63 07 63 6c 75 73 74 65 72 05 6c 6f 63 61 6c 00 00 01 00 01 c0 0c 00 01 00 01 00 00 00 05 00 04 0a 60 00 01';

function healthy(overrides: { cm?: ReturnType<typeof pod>; dns?: string } = {}): Recording {
  return {
    objects: [
      KUBE_SYSTEM,
      DNS_SERVICE,
      overrides.cm ?? pod('kube-controller-manager-cp', { component: 'kube-controller-manager' }, true),
      pod('kube-scheduler-cp', { component: 'kube-scheduler' }, true),
      pod('coredns-a', { 'k8s-app': 'kube-dns' }, true),
      pod('coredns-b', { 'k8s-app': 'kube-dns' }, true),
      pod('kube-proxy-a', { 'k8s-app': 'kube-proxy' }, true),
      pod('net-a', { app: 'hardening-lab-pod-network' }, true),
    ],
    nodeExecs: [
      {
        node: 'control-plane',
        argv: dnsProbeArgv('10.96.0.10'),
        result: { exitCode: 0, stdout: overrides.dns ?? ANSWER, stderr: '' },
      },
    ],
  };
}

describe('clusterHealth', () => {
  it('passes every component of a working cluster, DNS by its answer', async () => {
    const items = await clusterHealth(new RecordedClusterView(healthy()));
    expect(items.map((i) => [i.component, i.ok])).toEqual([
      ['API server', true],
      ['controller manager', true],
      ['scheduler', true],
      ['CoreDNS', true],
      ['kube-proxy', true],
      ['pod network', true],
      ['cluster DNS', true],
    ]);
    expect(items.at(-1)?.found).toBe(
      'kubernetes.default.svc.cluster.local → 10.96.0.1 (asked 10.96.0.10 from control-plane)',
    );
  });

  it('names a crash-looping controller manager and a DNS that gives no answer', async () => {
    const view = new RecordedClusterView(
      healthy({
        cm: pod('kube-controller-manager-cp', { component: 'kube-controller-manager' }, false, 'CrashLoopBackOff', 6),
        dns: '',
      }),
    );
    const broken = (await clusterHealth(view)).filter((i) => !i.ok);
    expect(broken).toEqual([
      {
        component: 'controller manager',
        ok: false,
        found: '0/1 pods ready (kube-controller-manager-cp: CrashLoopBackOff, 6 restarts)',
      },
      {
        component: 'cluster DNS',
        ok: false,
        found:
          'kubernetes.default.svc.cluster.local via 10.96.0.10 from control-plane: no answer (the connection gave nothing back)',
      },
    ]);
  });

  it('stops at the API server when it does not answer', async () => {
    const items = await clusterHealth(new RecordedClusterView({ unreachable: true }));
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ component: 'API server', ok: false });
    expect(items[0]?.found).toContain('refused the connection');
  });

  it('waits, saying what for, until the deadline, and returns what it last saw', async () => {
    const lines: string[] = [];
    const view = new RecordedClusterView({ objects: [KUBE_SYSTEM] });
    const items = await waitForClusterHealth(view, { deadlineMs: 50, pollMs: 30, say: (l) => lines.push(l) });
    expect(items.filter((i) => !i.ok).map((i) => i.component)).toEqual([
      'controller manager',
      'scheduler',
      'CoreDNS',
      'kube-proxy',
      'pod network',
      'cluster DNS',
    ]);
    // Said once: the same set of missing components is not repeated every poll.
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\[0 s\] waiting for controller manager \(no pods in kube-system with component=kube-controller-manager\)/,
    );
  });
});
