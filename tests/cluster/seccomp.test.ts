// Cluster tier for the seccomp lab, on the real kind cluster that
// scripts/test-cluster.sh created (KUBECONFIG, HARDENING_LAB_CLUSTER), with
// kind-config/seccomp/profiles mounted on every node:
//   1. test-lab itself: cleanup, then per step the check FAILS, the reference
//      solution runs, the check PASSES, then every answer of the step's
//      wrong-answer catalogue (answers.yaml) is judged;
//   2. wrong answers made for real fail with the finding that names them
//      (absolute path refused by the API, missing profiles/ prefix, the removed
//      annotation, privileged);
//   3. cleanup removes everything and the first check fails again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedStep } from '../../server/labs/lab.js';
import { LabOnCluster } from './support/lab-on-cluster.js';
import { SCRIPT_TIMEOUT_MS } from '../../server/labs/node-scripts.js';
import type { Finding } from '../../server/protocol.js';

// crictl inspect prints a long OCI spec through docker exec: a roomier deadline than the page's on a busy CI host.
const harness = new LabOnCluster('seccomp', { timeoutMs: 15_000 });
const { cluster, view } = harness;
const attempt = (name: string, script: string, timeoutMs: number) => harness.attempt(name, script, timeoutMs);
const run = (name: string, script: string, timeoutMs?: number) => harness.run(name, script, timeoutMs);
const step = (id: string): LoadedStep => harness.step(id);

/** A script creating a busybox pod in the lab's namespace, with YAML lines spliced into its securityContexts. */
function pod(
  name: string,
  options: { podSecurity?: string; containerSecurity?: string; annotations?: string },
): string {
  // test-lab ends with cleanup, so the namespace may be new: pods are refused
  // until its default service account exists.
  return `kubectl create namespace seccomp --dry-run=client -o yaml | kubectl apply -f -
until kubectl -n seccomp get serviceaccount default >/dev/null 2>&1; do sleep 1; done
kubectl -n seccomp delete pod ${name} --ignore-not-found --wait=true
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: seccomp
${options.annotations ? `  annotations:\n    ${options.annotations}\n` : ''}spec:
  terminationGracePeriodSeconds: 1
${options.podSecurity ? `  securityContext:\n${options.podSecurity}\n` : ''}  containers:
    - name: app
      image: busybox:1.36
      imagePullPolicy: IfNotPresent
      command: ["sleep", "86400"]
${options.containerSecurity ? `      securityContext:\n${options.containerSecurity}\n` : ''}YAML`;
}

describe(`seccomp on "${cluster}"`, () => {
  beforeAll(async () => {
    await harness.startFresh();
  });

  afterAll(() => harness.finish());

  it('the profiles are on every node', async () => {
    for (const node of ['control-plane', 'worker']) {
      const listing = await view.execOnNode(node, ['ls', '/var/lib/kubelet/seccomp/profiles']);
      expect(listing.stdout.split('\n').filter(Boolean).sort()).toEqual([
        'audit.json',
        'fine-grained.json',
        'violation.json',
      ]);
    }
  });

  // `hardening-lab test-lab seccomp` itself, catalogue included: 5 steps and
  // 27 answers, each answer followed by its step's solution (about 15 s a pair
  // on the offline image), so far more than the tier's default 5 minutes.
  it(
    'test-lab: every check fails before its solution and passes after it, and every catalogue answer is judged as listed',
    async () => {
      const { code, output } = await harness.testLab();
      expect(code, output).toBe(0);
    },
    25 * 60_000,
  );

  it('names an absolute localhostProfile: the API server refuses the pod', async () => {
    const refused = await attempt(
      'absolute-path',
      pod('audit-pod', {
        podSecurity:
          '    seccompProfile:\n      type: Localhost\n      localhostProfile: /var/lib/kubelet/seccomp/profiles/audit.json',
      }),
      SCRIPT_TIMEOUT_MS.solution,
    );
    expect(refused.ok).toBe(false);
    expect(refused.log).toContain('must be a relative path');
    const [only] = await step('audit').check(view);
    expect(only).toMatchObject({ ok: false, found: 'no such pod' });
    expect(only?.advice).toContain('must be a relative path');
  });

  it('names the missing profiles/ prefix, with the runtime error', async () => {
    await run(
      'missing-prefix',
      pod('audit-pod', {
        podSecurity: '    seccompProfile:\n      type: Localhost\n      localhostProfile: audit.json',
      }),
    );
    // The kubelet needs a moment to try to create the container and fail.
    let findings: Finding[] = [];
    let state: Finding | undefined;
    for (let i = 0; i < 30 && !/CreateContainerError/.test(state?.found ?? ''); i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 2000));
      findings = await step('audit').check(view);
      state = findings.find((f) => f.expected === 'container app running and ready');
    }
    expect(findings[0]?.advice).toContain('"audit.json" means /var/lib/kubelet/seccomp/audit.json');
    expect(state?.found).toMatch(/CreateContainerError: .*cannot load seccomp profile/);
  });

  it('names the removed annotation, and sees the pod unconfined on the node', async () => {
    const log = await run(
      'annotation',
      pod('audit-pod', { annotations: 'seccomp.security.alpha.kubernetes.io/pod: localhost/profiles/audit.json' }) +
        '\nkubectl -n seccomp wait --for=condition=Ready pod/audit-pod --timeout=120s',
    );
    expect(log).toContain('non-functional in v1.27+');
    const bad = (await step('audit').check(view)).filter((f) => !f.ok);
    expect(bad[0]?.advice).toContain('stopped working in Kubernetes 1.27');
    expect(bad.map((f) => f.found)).toContain('Seccomp: 0');
  });

  it('names privileged: the right field on a container that runs unconfined', async () => {
    await run(
      'privileged',
      pod('fine-grained-pod', {
        podSecurity: '    seccompProfile:\n      type: Localhost\n      localhostProfile: profiles/fine-grained.json',
        containerSecurity: '        privileged: true',
      }) + '\nkubectl -n seccomp wait --for=condition=Ready pod/fine-grained-pod --timeout=120s',
    );
    const findings = await step('fine-grained').check(view);
    expect(findings[0]?.ok).toBe(true);
    const bad = findings.filter((f) => !f.ok);
    expect(bad[0]?.found).toBe('securityContext.privileged: true');
    expect(bad.map((f) => f.found)).toEqual(expect.arrayContaining(['Seccomp: 0', 'chmod succeeded']));
  });

  it('cleanup removes the namespace and the first check fails again', async () => {
    await harness.cleanup();
    const [only] = await step('runtime-default').check(view);
    expect(only).toMatchObject({ ok: false, found: 'no such pod' });
    expect(await view.getNamespace('seccomp')).toBeUndefined();
  });
});
