// Cluster tier for the immutable-pods lab, on the real kind cluster that
// scripts/test-cluster.sh created (KUBECONFIG, HARDENING_LAB_CLUSTER):
//   1. `test-lab immutable-pods`: cleanup, setup, per step the check FAILS,
//      the reference solution runs, the check PASSES; cleanup at the end;
//   2. the blog's wrong answers, made for real, fail with the finding that
//      names them (misspelt field sent without validation, emptyDir on
//      /var/log only, `- c` in the probe).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readOnlyRoot, startupProbeRemovesShell } from '../../labs/immutable-pods/checks.js';
import { eventually, LabOnCluster, show } from './support/lab-on-cluster.js';

const harness = new LabOnCluster('immutable-pods');
const { cluster, view } = harness;
const run = (name: string, script: string) => harness.run(name, script);

describe(`immutable-pods on "${cluster}"`, () => {
  beforeAll(async () => {
    await harness.load();
    await harness.clusterHealthy();
  });

  afterAll(() => harness.finish());

  it('test-lab: every check fails before its solution and passes after it', async () => {
    const { code, output } = await harness.testLab();
    expect(code, output).toBe(0);
  });

  describe("the blog's mistakes, for real", () => {
    beforeAll(async () => {
      await harness.cleanup();
      await harness.copyLabFiles();
      await harness.setup();
    });

    beforeEach(async () => {
      await run('clean-pods', 'kubectl -n immutable-pods delete pod --all --wait --ignore-not-found');
    });

    it('kubectl refuses the misspelt field; sent without validation it is dropped and named', async () => {
      const refused = await harness.attempt(
        'strict',
        'kubectl apply -f "$HL_LAB_FILES/manifests/blog-immutable-pod.yaml"',
        60_000,
      );
      expect(refused.ok).toBe(false);
      expect(refused.log).toMatch(/unknown field "spec\.containers\[0\]\.securityContext\.readonlyRootFilesystem"/);

      // The reference answer with only the field misspelt, sent by a client that does not validate.
      const misspelt = harness
        .step('read-only-root')
        .solution.replaceAll('readOnlyRootFilesystem', 'readonlyRootFilesystem')
        .replace('kubectl apply -f -', 'kubectl apply --validate=false -f -');
      expect(misspelt).toContain('readonlyRootFilesystem: true');
      expect(misspelt).toContain('--validate=false');
      await run('no-validate', misspelt);
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
        'nginx to crash-loop on the hidden /var/log/nginx',
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
        'nginx to crash-loop on /var/cache/nginx',
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
        'the startup probe to fail on "- c"',
        () => startupProbeRemovesShell(view),
        (f) => f.some((x) => x.found.includes('Startup probe failed')),
      );
      expect(findings[0], show(findings)).toMatchObject({ ok: false });
      expect(findings[0]?.advice).toContain('The second item is "c", not "-c"');
      expect(findings[1]?.found, show(findings)).toContain('Startup probe failed');
    });
  });
});
