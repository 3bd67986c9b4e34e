// Cluster tier for the Falco lab, on the real kind cluster that
// scripts/test-cluster.sh created (KUBECONFIG, HARDENING_LAB_CLUSTER).
// Falco needs a kernel with BTF (modern eBPF probe) and its image, pulled or
// preloaded into the nodes: the host capabilities are probed first and, when
// one is missing, the tests are SKIPPED with the reason printed — never
// silently. Where it can run:
//   1. `test-lab falco`: cleanup, per step the check FAILS, the reference
//      solution runs, the check PASSES, then every answer of the step's
//      wrong-answer catalogue (answers.yaml) is judged; cleanup at the end;
//   2. wrong answers made for real fail with the finding that names them
//      (a rules key Falco skips; the deprecated `append: true`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customRuleLoaded, overrideApplied } from '../../labs/falco/checks.js';
import type { KubeClusterView } from '../../server/checks/kube-cluster-view.js';
import { hostSkipReason, LabOnCluster, show } from './support/lab-on-cluster.js';

// What the lab list would say about this host, before anything else.
const skipReason = await hostSkipReason('falco');

describe.skipIf(skipReason !== '')(`falco lab on "${process.env.HARDENING_LAB_CLUSTER ?? '?'}"`, () => {
  // Made in beforeAll: the body of a skipped describe still runs, and the
  // harness needs the cluster's environment.
  let harness: LabOnCluster;
  let view: KubeClusterView;
  const run = (name: string, script: string) => harness.run(name, script);

  beforeAll(async () => {
    harness = new LabOnCluster('falco');
    view = harness.view;
    await harness.load();
    await harness.clusterHealthy();
  });

  afterAll(() => harness.finish());

  it('test-lab: every check fails before its solution and passes after it', async () => {
    const { code, output } = await harness.testLab();
    expect(code, output).toBe(0);
  });

  describe('wrong answers, for real', () => {
    beforeAll(async () => {
      await harness.cleanup();
      await harness.copyLabFiles();
      await run('install', harness.step('install').solution);
    });

    it('a rules key without .yaml is skipped by Falco, and named', async () => {
      await run(
        'txt-key',
        'kubectl -n falco create configmap falco-rules --from-file=hardening-lab-rules.txt="$HL_LAB_FILES/manifests/rules/hardening-lab-rules.yaml" --dry-run=client -o yaml | kubectl apply -f -',
      );
      const findings = await customRuleLoaded(view);
      const skipped = findings.find((f) => f.found === 'key "hardening-lab-rules.txt"');
      expect(skipped, show(findings)).toMatchObject({ ok: false, code: 'RULES_FILE_SKIPPED' });
      expect(skipped?.advice).toContain('only .yaml/.yml');
      await run('delete', 'kubectl -n falco delete configmap falco-rules --ignore-not-found');
    });

    it('append: true is named as deprecated even though Falco loads it', async () => {
      await run(
        'append-true',
        [
          'cp "$HL_LAB_FILES/manifests/rules/hardening-lab-rules.yaml" /tmp/hl-append.yaml',
          "printf '\\n- rule: Read sensitive file untrusted\\n  condition: and not proc.name = backup-agent\\n  append: true\\n' >> /tmp/hl-append.yaml",
          'kubectl -n falco create configmap falco-rules --from-file=hardening-lab-rules.yaml=/tmp/hl-append.yaml --dry-run=client -o yaml | kubectl apply -f -',
          'rm -f /tmp/hl-append.yaml',
          'kubectl -n falco rollout restart daemonset/falco && kubectl -n falco rollout status daemonset/falco --timeout=240s',
        ].join('\n'),
      );
      const findings = await overrideApplied(view);
      const append = findings.find((f) => f.found === 'rule "Read sensitive file untrusted" uses append: true');
      expect(append, show(findings)).toMatchObject({ ok: false, code: 'APPEND_DEPRECATED' });
      expect(append?.advice).toContain('override: {condition: append}');
    });
  });
});

// A visible entry in the summary either way: skipped with the reason as its note.
it('host can run the falco lab', (ctx) => {
  if (skipReason) ctx.skip(skipReason);
});
