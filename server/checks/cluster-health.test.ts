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
const API_SERVICE = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'kubernetes', namespace: 'default' },
  spec: { clusterIP: '10.96.0.1' },
};
const CURL_VIP = ['curl', '-sk', '-m', '3', '-o', '/dev/null', '-w', '%{http_code}', 'https://10.96.0.1:443/readyz'];
const DNS_SERVICE = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'kube-dns', namespace: 'kube-system' },
  spec: { clusterIP: '10.96.0.10' },
};
// od's dump of CoreDNS's answer: kubernetes.default.svc.cluster.local → 10.96.0.1.
const ANSWER =
  '00 5b 4c 48 85 00 00 01 00 01 00 00 00 00 0a 6b 75 62 65 72 6e 65 74 65 73 07 64 65 66 61 75 6c 74 03 73 76 63 07 63 6c 75 73 74 65 72 05 6c 6f 63 61 6c 00 00 01 00 01 c0 0c 00 01 00 01 00 00 00 05 00 04 0a 60 00 01';

// The same answer for the canary's name, pointing at 10.96.0.1 (its recorded "old" IP).
function healthy(
  overrides: { cm?: ReturnType<typeof pod>; dns?: string; vip?: string; canaryIp?: string } = {},
): Recording {
  return {
    objects: [
      KUBE_SYSTEM,
      DNS_SERVICE,
      API_SERVICE,
      ...(overrides.canaryIp
        ? [
            {
              apiVersion: 'v1',
              kind: 'Service',
              metadata: { name: 'hardening-lab-dns-canary', namespace: 'kube-system' },
              spec: { clusterIP: overrides.canaryIp },
            },
          ]
        : []),
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
      {
        node: 'control-plane',
        argv: dnsProbeArgv('10.96.0.10', 'hardening-lab-dns-canary.kube-system.svc.cluster.local'),
        result: { exitCode: 0, stdout: overrides.dns ?? ANSWER, stderr: '' },
      },
      { node: 'control-plane', argv: CURL_VIP, result: { exitCode: 0, stdout: overrides.vip ?? '200', stderr: '' } },
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
      ['API server through its Service IP (kube-proxy)', true],
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

  it('names a Service IP kube-proxy has no rules for, and a CoreDNS that answers from an old view', async () => {
    const view = new RecordedClusterView(healthy({ vip: '000', canaryIp: '10.96.200.7' }));
    const broken = (await clusterHealth(view)).filter((i) => !i.ok);
    expect(broken).toEqual([
      {
        component: 'API server through its Service IP (kube-proxy)',
        ok: false,
        found: 'https://10.96.0.1/readyz did not answer from node control-plane (no rules for it yet?)',
      },
      {
        component: 'cluster DNS',
        ok: false,
        found:
          "hardening-lab-dns-canary.kube-system.svc.cluster.local → 10.96.0.1, but the Service's IP is 10.96.200.7: CoreDNS answers from an old view of the API",
      },
    ]);
  });

  it('passes the canary when DNS gives the Service its current IP', async () => {
    const items = await clusterHealth(new RecordedClusterView(healthy({ canaryIp: '10.96.0.1' })));
    expect(items.every((i) => i.ok)).toBe(true);
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
      'API server through its Service IP (kube-proxy)',
      'cluster DNS',
    ]);
    // Said once: the same set of missing components is not repeated every poll.
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\[0 s\] waiting for controller manager \(no pods in kube-system with component=kube-controller-manager\)/,
    );
  });

  it('restarts CoreDNS once when it stays stale after the API is routed again, and says so', async () => {
    const lines: string[] = [];
    let repairs = 0;
    const view = new RecordedClusterView(healthy({ canaryIp: '10.96.200.7' }));
    const items = await waitForClusterHealth(view, {
      deadlineMs: 200,
      pollMs: 20,
      staleDnsRepairAfterMs: 50,
      say: (l) => lines.push(l),
      repairStaleDns: async () => `restarted coredns-a (${++repairs})`,
    });
    expect(repairs).toBe(1);
    expect(lines.some((l) => /^\[\d+ s\] restarted coredns-a \(1\)$/.test(l))).toBe(true);
    expect(items.find((i) => i.component === 'cluster DNS')?.ok).toBe(false);
  });

  it('does not restart CoreDNS while the API is not routed through its Service IP yet', async () => {
    let repairs = 0;
    const view = new RecordedClusterView(healthy({ canaryIp: '10.96.200.7', vip: '000' }));
    await waitForClusterHealth(view, {
      deadlineMs: 150,
      pollMs: 20,
      staleDnsRepairAfterMs: 10,
      say: () => {},
      repairStaleDns: async () => `restarted (${++repairs})`,
    });
    expect(repairs).toBe(0);
  });
});
