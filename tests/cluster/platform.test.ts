// Smoke test of the cluster tier: the kind cluster scripts/test-cluster.sh
// created is usable. Needs KUBECONFIG (a kubeconfig for the test cluster only)
// and HARDENING_LAB_CLUSTER (the kind cluster name).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClusterView } from '../../server/checks/kube-cluster-view.js';
import { KindProvider } from '../../server/cluster/kind-provider.js';
import { waitForWorkingCluster } from './support/lab-on-cluster.js';

const execFileP = promisify(execFile);

const kubeconfigPath = process.env.KUBECONFIG;
const cluster = process.env.HARDENING_LAB_CLUSTER;
if (!kubeconfigPath || !cluster) {
  throw new Error(
    'KUBECONFIG and HARDENING_LAB_CLUSTER must be set: run the cluster tier with `npm run test:cluster`.',
  );
}
/** Lab manifests use explicit tags (pull policy IfNotPresent); offline these are the kind-loaded stand-ins. */
const NGINX_IMAGE = process.env.HARDENING_LAB_NGINX_IMAGE ?? 'nginx:1.27';
const BUSYBOX_IMAGE = process.env.HARDENING_LAB_BUSYBOX_IMAGE ?? 'busybox:1.36';
const NAMESPACE = 'hardening-lab-platform-test';

const kc = new k8s.KubeConfig();
kc.loadFromFile(kubeconfigPath);
const core = kc.makeApiClient(k8s.CoreV1Api);

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? ` (last error: ${last})` : ''}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

function isReady(conditions: { type: string; status: string }[] | undefined): boolean {
  return conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

describe(`kind cluster "${cluster}"`, () => {
  it('has a Ready control plane and worker running Kubernetes v1.34', async () => {
    const nodes = await waitFor('two Ready nodes', 180_000, async () => {
      const list = await core.listNode();
      const ready = list.items.filter((n) => isReady(n.status?.conditions));
      return list.items.length >= 2 && ready.length === list.items.length ? list.items : undefined;
    });
    const names = nodes.map((n) => n.metadata?.name).sort();
    expect(names).toEqual([`${cluster}-control-plane`, `${cluster}-worker`]);
    for (const node of nodes) {
      expect(node.status?.nodeInfo?.kubeletVersion).toMatch(/^v1\.34\.\d+$/);
    }
    const version = await kc.makeApiClient(k8s.VersionApi).getCode();
    expect(version.gitVersion).toMatch(/^v1\.34\.\d+$/);
  });

  describe('workloads', () => {
    beforeAll(async () => {
      // Labs tested before this file restart the apiserver; wait, by the
      // product's own health check, until DNS knows names newer than that.
      const view = new KubeClusterView({
        provider: new KindProvider({ name: cluster, image: 'unused', kindConfig: 'unused' }),
        kubeconfigPath,
      });
      try {
        await waitForWorkingCluster(view, 'platform');
      } finally {
        view.close();
      }
      // A run that was interrupted leaves its namespace behind (or still
      // terminating): start from none, so every object below is this run's.
      await core.deleteNamespace({ name: NAMESPACE }).catch((error: unknown) => {
        if (!(error instanceof k8s.ApiException && error.code === 404)) throw error;
      });
      await waitFor(`namespace ${NAMESPACE} from an earlier run to be gone`, 180_000, async () =>
        (await core.listNamespace()).items.some((n) => n.metadata?.name === NAMESPACE) ? undefined : true,
      );
      await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
      await waitFor(
        'the default service account',
        60_000,
        async () => (await core.readNamespacedServiceAccount({ name: 'default', namespace: NAMESPACE })) ?? undefined,
      );
    });

    afterAll(async () => {
      await core.deleteNamespace({ name: NAMESPACE }).catch(() => undefined);
    });

    it(`runs ${NGINX_IMAGE} to Ready with a read-only root filesystem`, async () => {
      await core.createNamespacedPod({
        namespace: NAMESPACE,
        body: {
          metadata: { name: 'nginx', labels: { app: 'nginx' } },
          spec: {
            // On the worker, so the next test crosses nodes.
            nodeName: `${cluster}-worker`,
            containers: [
              {
                name: 'nginx',
                image: NGINX_IMAGE,
                ports: [{ containerPort: 80 }],
                readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 2 },
                securityContext: { readOnlyRootFilesystem: true },
                volumeMounts: [
                  { name: 'cache', mountPath: '/var/cache/nginx' },
                  { name: 'run', mountPath: '/var/run' },
                ],
              },
            ],
            volumes: [
              { name: 'cache', emptyDir: {} },
              { name: 'run', emptyDir: {} },
            ],
          },
        },
      });
      const pod = await waitFor(`pod ${NAMESPACE}/nginx Ready`, 180_000, async () => {
        const p = await core.readNamespacedPod({ name: 'nginx', namespace: NAMESPACE });
        const waiting = p.status?.containerStatuses?.[0]?.state?.waiting;
        if (waiting?.reason && /ImagePull|ErrImage|CreateContainer/.test(waiting.reason)) {
          throw new Error(`${waiting.reason}: ${waiting.message ?? ''}`);
        }
        return isReady(p.status?.conditions) ? p : undefined;
      });
      expect(pod.status?.containerStatuses?.[0]?.image).toContain('nginx');
      expect(pod.status?.podIP).toBeTruthy();
    });

    it(`reaches nginx through a Service by DNS name from ${BUSYBOX_IMAGE} on the other node`, async () => {
      await core.createNamespacedService({
        namespace: NAMESPACE,
        body: {
          metadata: { name: 'web' },
          spec: { selector: { app: 'nginx' }, ports: [{ port: 80, targetPort: 80 }] },
        },
      });
      // busybox wget: no -T (Debian's busybox 1.35 stand-in crashes on it); timeout instead.
      await core.createNamespacedPod({
        namespace: NAMESPACE,
        body: {
          metadata: { name: 'client' },
          spec: {
            nodeName: `${cluster}-control-plane`,
            restartPolicy: 'Never',
            containers: [
              {
                name: 'client',
                image: BUSYBOX_IMAGE,
                command: [
                  'sh',
                  '-c',
                  `for i in $(seq 1 30); do timeout 5 wget -q -O- http://web.${NAMESPACE}.svc.cluster.local/ && exit 0; sleep 2; done; exit 1`,
                ],
              },
            ],
          },
        },
      });
      const phase = await waitFor('the client pod to finish', 180_000, async () => {
        const p = await core.readNamespacedPod({ name: 'client', namespace: NAMESPACE });
        return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' ? p.status.phase : undefined;
      });
      const log = await core.readNamespacedPodLog({ name: 'client', namespace: NAMESPACE });
      expect(phase, log).toBe('Succeeded');
      expect(log).toContain('Welcome to nginx!');
    });

    it('reads the logs of a container that has written nothing as empty, through the view checks use', async () => {
      await core.createNamespacedPod({
        namespace: NAMESPACE,
        body: {
          metadata: { name: 'silent' },
          spec: { containers: [{ name: 'silent', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] }] },
        },
      });
      await waitFor(`pod ${NAMESPACE}/silent running`, 120_000, async () => {
        const p = await core.readNamespacedPod({ name: 'silent', namespace: NAMESPACE });
        return p.status?.containerStatuses?.[0]?.state?.running ? p : undefined;
      });
      const view = new KubeClusterView({
        provider: new KindProvider({ name: cluster, image: 'unused', kindConfig: 'unused' }),
        kubeconfigPath,
      });
      try {
        // The apiserver answers 200 with no body and no Content-Type here; a
        // previous instance that never existed is a 400.
        expect(await view.podLogs(NAMESPACE, 'silent', { container: 'silent' })).toBe('');
        expect(await view.podLogs(NAMESPACE, 'silent', { container: 'silent', previous: true })).toBe('');
        expect(await view.podLogs(NAMESPACE, 'silent', { container: 'silent', tailLines: 20 })).toBe('');
      } finally {
        view.close();
      }
    });
  });

  it('answers kubectl inside the control-plane node (docker exec)', async () => {
    const { stdout } = await execFileP('docker', [
      'exec',
      `${cluster}-control-plane`,
      'kubectl',
      'get',
      'nodes',
      '--no-headers',
    ]);
    expect(stdout).toContain(`${cluster}-control-plane`);
    expect(stdout).toContain(`${cluster}-worker`);
    expect(stdout).toMatch(/\bReady\b/);
  });

  // The node shell through the product's terminal code (server/terminals/)
  // is tested separately by the terminal tests; this file checks the platform only.
});
