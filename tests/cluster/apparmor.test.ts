// Cluster tier for the AppArmor lab, on the real kind cluster that
// scripts/test-cluster.sh created (KUBECONFIG, HARDENING_LAB_CLUSTER).
// AppArmor is a property of the host kernel: on a host without it (macOS
// Docker Desktop, SELinux hosts, most CI kernels) nothing here can run, so the
// host capability is probed first and the tests are SKIPPED with the reason
// printed — never silently. Where it can run:
//   1. `test-lab apparmor`: cleanup, per step the check FAILS, the reference
//      solution runs, the check PASSES; cleanup at the end;
//   2. wrong answers made for real fail with the finding that names them
//      (RuntimeDefault instead of the lab profile; the profile not loaded).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podConfined } from '../../labs/apparmor/checks.js';
import type { KubeClusterView } from '../../server/checks/kube-cluster-view.js';
import type { LoadedLab } from '../../server/labs/lab.js';
import { eventually, hostSkipReason, LabOnCluster, show } from './support/lab-on-cluster.js';

// What the lab list would say about this host, before anything else.
const skipReason = await hostSkipReason('apparmor');

describe.skipIf(skipReason !== '')(`apparmor lab on "${process.env.HARDENING_LAB_CLUSTER ?? '?'}"`, () => {
  // Made in beforeAll: the body of a skipped describe still runs, and the
  // harness needs the cluster's environment.
  let harness: LabOnCluster;
  let view: KubeClusterView;
  let lab: LoadedLab;
  const run = (name: string, script: string) => harness.run(name, script);

  beforeAll(async () => {
    harness = new LabOnCluster('apparmor');
    view = harness.view;
    lab = await harness.load();
    await harness.clusterHealthy();
  });

  afterAll(() => harness.finish());

  // test-lab runs the catalogue too (16 answers, each followed by its step's
  // solution): more than the tier's default 5 minutes.
  it(
    'test-lab: every check fails before its solution and passes after it, and every catalogue answer is judged as listed',
    async () => {
      const { code, output } = await harness.testLab();
      expect(code, output).toBe(0);
    },
    15 * 60_000,
  );

  describe('wrong answers, for real', () => {
    beforeAll(async () => {
      await harness.cleanup();
      await harness.copyLabFiles();
    });

    it("RuntimeDefault: containerd's own profile shows in /proc/1/attr/current and the write succeeds", async () => {
      const step1 = lab.steps[0];
      if (step1) await run('load-profile', step1.solution);
      await run(
        'runtime-default',
        `sed 's/type: Localhost/type: RuntimeDefault/; /localhostProfile:/d' "$HL_LAB_FILES/manifests/hello-apparmor.yaml" | kubectl apply -f - && kubectl -n apparmor-lab wait --for=condition=Ready pod/hello-apparmor --timeout=120s`,
      );
      const findings = await podConfined(view);
      expect(
        findings.find((f) => f.where?.includes('attr/current')),
        show(findings),
      ).toMatchObject({ ok: false, found: 'cri-containerd.apparmor.d (enforce)' });
      expect(
        findings.find((f) => f.expected.startsWith('touch')),
        show(findings),
      ).toMatchObject({ ok: false, found: 'the write succeeded (exit code 0)' });
      await run('delete', 'kubectl -n apparmor-lab delete pod hello-apparmor --wait');
    });

    it("profile not loaded: CreateContainerError with the runtime's message", async () => {
      await run('unload', lab.cleanup);
      await run('pod', 'kubectl apply -f "$HL_LAB_FILES/manifests/hello-apparmor.yaml"');
      const findings = await eventually(
        'the runtime to refuse the pod: apparmor profile not found',
        () => podConfined(view),
        (f) => f.some((x) => /apparmor profile not found/.test(x.found)),
      );
      const refusal = findings.find((f) => /apparmor profile not found/.test(f.found));
      expect(refusal, show(findings)).toMatchObject({ ok: false });
      expect(refusal?.advice).toContain('apparmor_parser -r');
    });
  });
});

// A visible entry in the summary either way: skipped with the reason as its note.
it('host can run the apparmor lab', (ctx) => {
  if (skipReason) ctx.skip(skipReason);
});
