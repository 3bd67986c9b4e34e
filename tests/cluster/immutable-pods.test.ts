// Cluster tier for the immutable-pods lab, on the real kind cluster that
// scripts/test-cluster.sh created (KUBECONFIG, HARDENING_LAB_CLUSTER):
//   1. `test-lab immutable-pods`: cleanup, setup, per step the check FAILS,
//      the reference solution runs, the check PASSES; cleanup at the end;
//   2. the blog's wrong answers, made for real, fail with the finding that
//      names them (misspelt field sent without validation, emptyDir on
//      /var/log only, `- c` in the probe).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KubeClusterView } from '../../server/checks/kube-cluster-view.js';
import { KindProvider } from '../../server/cluster/kind-provider.js';
import { testLabCommand } from '../../server/cli/lab-commands.js';
import type { LoadedLab } from '../../server/labs/lab.js';
import { loadLab } from '../../server/labs/lab-loader.js';
import { NodeScriptRunner, SCRIPT_TIMEOUT_MS } from '../../server/labs/node-scripts.js';
import type { Finding } from '../../server/protocol.js';
import { readOnlyRoot, startupProbeRemovesShell } from '../../labs/immutable-pods/checks.js';

const kubeconfig = process.env.KUBECONFIG;
const cluster = process.env.HARDENING_LAB_CLUSTER;
if (!kubeconfig || !cluster) {
  throw new Error(
    'KUBECONFIG and HARDENING_LAB_CLUSTER must be set: run the cluster tier with `npm run test:cluster`.',
  );
}
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const provider = new KindProvider({ name: cluster, image: 'unused', kindConfig: 'unused' });
const view = new KubeClusterView({ provider, kubeconfigPath: kubeconfig });
const scripts = new NodeScriptRunner({ provider });
let lab: LoadedLab;

async function run(name: string, script: string): Promise<string> {
  const result = await scripts.run(lab, { node: 'control-plane', name, script, timeoutMs: SCRIPT_TIMEOUT_MS.solution });
  if (!result.ok) throw new Error(`${name} failed (exit ${String(result.exitCode)}):\n${result.log}`);
  return result.log;
}

/** Re-checks until `done` says the cluster reached the state under test. */
async function eventually(
  check: () => Promise<Finding[]>,
  done: (f: Finding[]) => boolean,
  seconds = 90,
): Promise<Finding[]> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const findings = await check();
    if (done(findings) || Date.now() > deadline) return findings;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

const show = (findings: Finding[]) => JSON.stringify(findings, null, 2);

describe(`immutable-pods on "${cluster}"`, () => {
  beforeAll(async () => {
    const loaded = await loadLab(path.join(ROOT, 'labs', 'immutable-pods'));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    lab = loaded.lab;
  });

  afterAll(async () => {
    try {
      await run('cleanup', lab.cleanup);
    } finally {
      view.close();
    }
  });

  it('test-lab: every check fails before its solution and passes after it', async () => {
    const out: string[] = [];
    const code = await testLabCommand(
      'immutable-pods',
      { out: (l) => out.push(l), err: (l) => out.push(l) },
      { provider, kubeconfigPath: kubeconfig },
    );
    console.log(out.join('\n'));
    expect(code, out.join('\n')).toBe(0);
  });

  describe("the blog's mistakes, for real", () => {
    beforeAll(async () => {
      await run('cleanup', lab.cleanup);
      await scripts.copyLabFiles(lab);
      await run('setup', lab.setup ?? '');
    });

    beforeEach(async () => {
      await run('clean-pods', 'kubectl -n immutable-pods delete pod --all --wait --ignore-not-found');
    });

    it('kubectl refuses the misspelt field; sent without validation it is dropped and named', async () => {
      const refused = await scripts.run(lab, {
        node: 'control-plane',
        name: 'strict',
        script: 'kubectl apply -f "$HL_LAB_FILES/manifests/blog-immutable-pod.yaml"',
        timeoutMs: 60_000,
      });
      expect(refused.ok).toBe(false);
      expect(refused.log).toMatch(/unknown field "spec\.containers\[0\]\.securityContext\.readonlyRootFilesystem"/);

      // The reference answer with only the field misspelt, sent by a client that does not validate.
      await run(
        'no-validate',
        `cat <<'YAML' | kubectl apply --validate=false -f -
apiVersion: v1
kind: Pod
metadata:
  name: ro-nginx
  namespace: immutable-pods
spec:
  containers:
    - name: nginx
      image: nginx:1.27
      imagePullPolicy: IfNotPresent
      securityContext:
        readonlyRootFilesystem: true
      volumeMounts:
        - { name: cache, mountPath: /var/cache/nginx }
        - { name: run, mountPath: /var/run }
  volumes:
    - { name: cache, emptyDir: {} }
    - { name: run, emptyDir: {} }
YAML
kubectl -n immutable-pods wait --for=condition=Ready pod/ro-nginx --timeout=120s`,
      );
      const findings = await readOnlyRoot(view);
      const field = findings.find((f) => f.expected.endsWith('readOnlyRootFilesystem: true'));
      expect(field, show(findings)).toMatchObject({ ok: false, found: 'field missing on the stored pod' });
      expect(field?.advice).toContain('readonlyRootFilesystem');
      expect(field?.advice).toContain('capital O');
      const write = findings.find((f) => f.expected.startsWith('writing to /'));
      expect(write, show(findings)).toMatchObject({
        ok: false,
        found: 'the write succeeded: the root filesystem is writable',
      });
    });

    it("the blog's manifest as printed: writable, and nginx crash-loops on the hidden /var/log/nginx", async () => {
      await run('blog-as-is', 'kubectl apply --validate=false -f "$HL_LAB_FILES/manifests/blog-immutable-pod.yaml"');
      const findings = await eventually(
        () => readOnlyRoot(view),
        (f) => f.some((x) => x.expected.includes('running and ready') && !!x.advice?.includes('/var/log/nginx')),
      );
      expect(findings[0]?.advice, show(findings)).toContain('capital O');
      const ready = findings.find((f) => f.expected.includes('running and ready'));
      expect(ready, show(findings)).toMatchObject({ ok: false });
      expect(ready?.found).toContain('/var/log/nginx/error.log');
      expect(ready?.advice).toContain('hides the image');
    });

    it('names the emptyDir on /var/log only: nginx crash-loops on /var/cache/nginx', async () => {
      await run(
        'var-log-only',
        `sed 's/readonlyRootFilesystem/readOnlyRootFilesystem/' "$HL_LAB_FILES/manifests/blog-immutable-pod.yaml" | kubectl apply -f -`,
      );
      const findings = await eventually(
        () => readOnlyRoot(view),
        (f) => f.some((x) => x.expected.includes('running and ready') && !!x.advice?.includes('/var/cache/nginx')),
      );
      const ready = findings.find((f) => f.expected.includes('running and ready'));
      expect(ready, show(findings)).toMatchObject({ ok: false });
      expect(ready?.found).toContain('Read-only file system');
      expect(ready?.advice).toContain('/var/cache/nginx');
    });

    it('names "- c" in the startup probe', async () => {
      await run('blog-probe', 'kubectl apply -f "$HL_LAB_FILES/manifests/blog-startup-probe.yaml"');
      const findings = await eventually(
        () => startupProbeRemovesShell(view),
        (f) => f.some((x) => x.found.includes('Startup probe failed')),
      );
      expect(findings[0], show(findings)).toMatchObject({ ok: false });
      expect(findings[0]?.advice).toContain('The second item is "c", not "-c"');
      expect(findings[1]?.found, show(findings)).toContain('Startup probe failed');
    });
  });
});
