// Cluster tier for the Falco lab, on the real kind cluster that
// scripts/test-cluster.sh created (KUBECONFIG, HARDENING_LAB_CLUSTER).
// Falco needs a kernel with BTF (modern eBPF probe) and its image, pulled or
// preloaded into the nodes: the host capabilities are probed first and, when
// one is missing, the tests are SKIPPED with the reason printed — never
// silently. Where it can run:
//   1. `test-lab falco`: cleanup, per step the check FAILS, the reference
//      solution runs, the check PASSES; cleanup at the end;
//   2. wrong answers made for real fail with the finding that names them
//      (a rules key Falco skips; the deprecated `append: true`).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customRuleLoaded, overrideApplied } from '../../labs/falco/checks.js';
import { KubeClusterView } from '../../server/checks/kube-cluster-view.js';
import { KindProvider } from '../../server/cluster/kind-provider.js';
import { testLabCommand } from '../../server/cli/lab-commands.js';
import { probeHostCapabilities } from '../../server/labs/capabilities.js';
import type { LoadedLab } from '../../server/labs/lab.js';
import { loadLab } from '../../server/labs/lab-loader.js';
import { NodeScriptRunner, SCRIPT_TIMEOUT_MS } from '../../server/labs/node-scripts.js';
import type { Finding } from '../../server/protocol.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const LAB_DIR = path.join(ROOT, 'labs', 'falco');

// What the lab list would say about this host, before anything else.
const loaded = await loadLab(LAB_DIR);
if (!loaded.ok) throw new Error(`labs/falco does not load: ${JSON.stringify(loaded.problems)}`);
const lab: LoadedLab = loaded.lab;
const missing = (await probeHostCapabilities(lab.requires)).filter((c) => !c.available);
const skipReason = missing.map((c) => `${c.capability}: ${c.reason ?? 'not available'}`).join('; ');
if (skipReason) console.warn(`[cluster tier] SKIPPING the falco lab on this host — ${skipReason}`);

const kubeconfig = process.env.KUBECONFIG;
const cluster = process.env.HARDENING_LAB_CLUSTER;
if (!skipReason && (!kubeconfig || !cluster)) {
  throw new Error(
    'KUBECONFIG and HARDENING_LAB_CLUSTER must be set: run the cluster tier with `npm run test:cluster`.',
  );
}

const show = (findings: Finding[]) => JSON.stringify(findings, null, 2);

describe.skipIf(skipReason !== '')(`falco lab on "${cluster ?? '?'}"`, () => {
  const provider = new KindProvider({ name: cluster ?? 'unused', image: 'unused', kindConfig: 'unused' });
  const scripts = new NodeScriptRunner({ provider });
  // Made in beforeAll: the body of a skipped describe still runs, and the
  // view reads the kubeconfig when constructed.
  let view: KubeClusterView;

  beforeAll(() => {
    view = new KubeClusterView({ provider, kubeconfigPath: kubeconfig ?? '' });
  });

  async function run(name: string, script: string): Promise<string> {
    const result = await scripts.run(lab, {
      node: 'control-plane',
      name,
      script,
      timeoutMs: SCRIPT_TIMEOUT_MS.solution,
    });
    if (!result.ok) throw new Error(`${name} failed (exit ${String(result.exitCode)}):\n${result.log}`);
    return result.log;
  }

  function solution(stepId: string): string {
    const step = lab.steps.find((s) => s.id === stepId);
    if (!step) throw new Error(`no step ${stepId}`);
    return step.solution;
  }

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
      'falco',
      { out: (l) => out.push(l), err: (l) => out.push(l) },
      { provider, kubeconfigPath: kubeconfig ?? '' },
    );
    console.log(out.join('\n'));
    expect(code, out.join('\n')).toBe(0);
  });

  describe('wrong answers, for real', () => {
    beforeAll(async () => {
      await run('cleanup', lab.cleanup);
      await scripts.copyLabFiles(lab);
      await run('install', solution('install'));
    });

    it('a rules key without .yaml is skipped by Falco, and named', async () => {
      await run(
        'txt-key',
        'kubectl -n falco create configmap falco-rules --from-file=hardening-lab-rules.txt="$HL_LAB_FILES/manifests/rules/hardening-lab-rules.yaml" --dry-run=client -o yaml | kubectl apply -f -',
      );
      const findings = await customRuleLoaded(view);
      const skipped = findings.find((f) => f.found === 'key "hardening-lab-rules.txt"');
      expect(skipped, show(findings)).toMatchObject({ ok: false });
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
      expect(append, show(findings)).toMatchObject({ ok: false });
      expect(append?.advice).toContain('override: {condition: append}');
    });
  });
});

// A visible entry in the summary either way: skipped with the reason as its note.
it('host can run the falco lab', (ctx) => {
  if (skipReason) ctx.skip(skipReason);
});
