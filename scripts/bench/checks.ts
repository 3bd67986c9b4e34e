// Benchmark of lab checks against a real cluster (npm run bench:checks).
// Measures p50/p95 of each check of a lab and of a full sweep (all checks of
// the lab at once, as the page's "check all" and test-lab use them), then
// the same evidence gathered the usual way: a bash script that runs kubectl
// once per fact. Prints numbers; never fails on them. The last line is one
// JSON object: {"lab","sweep_p50_ms","sweep_p95_ms","kubectl_sweep_p50_ms","speedup"}.
//
// Usage: node --import tsx scripts/bench/checks.ts [--lab immutable-pods] [--iterations 30]
//          [--cluster <kind cluster>] [--kubeconfig <file>] [--no-prepare]
// Env:   KUBECONFIG / HARDENING_LAB_CLUSTER as set by the cluster tier.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { CheckRunner } from '../../server/checks/check-runner.js';
import { KubeClusterView } from '../../server/checks/kube-cluster-view.js';
import { KindProvider } from '../../server/cluster/kind-provider.js';
import { DEFAULT_CLUSTER_NAME } from '../../server/config.js';
import { loadLab } from '../../server/labs/lab-loader.js';
import { formatProblem } from '../../server/labs/lab-problem.js';
import { NodeScriptRunner, SCRIPT_TIMEOUT_MS } from '../../server/labs/node-scripts.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The baseline: what a lab's checks look like when written "the usual way",
 * one kubectl process per fact, sequentially, in bash. Same facts as checks.ts.
 */
const KUBECTL_BASELINES: Record<string, string> = {
  'immutable-pods': `
set -u
ns=immutable-pods
# step 1: the field, readiness, the write to /, the write to the emptyDir
kubectl -n $ns get pod ro-nginx -o jsonpath='{.spec.containers[0].securityContext.readOnlyRootFilesystem} {.status.containerStatuses[0].ready}' >/dev/null
kubectl -n $ns exec ro-nginx -c nginx -- touch /hl-immutable-probe /var/cache/nginx/.hl-immutable-probe >/dev/null 2>&1 || true
# step 2: the probe command and status, bash and touch gone
kubectl -n $ns get pod immutable -o jsonpath='{.spec.containers[0].startupProbe.exec.command} {.status.containerStatuses[0].started}' >/dev/null
kubectl -n $ns exec immutable -c nginx -- bash -c true >/dev/null 2>&1 || true
kubectl -n $ns exec immutable -c nginx -- touch /tmp/hl-immutable-probe >/dev/null 2>&1 || true
# step 3: the ephemeral container and a shell in it
kubectl -n $ns get pod immutable -o jsonpath='{.spec.ephemeralContainers[*].targetContainerName} {.status.ephemeralContainerStatuses[*].state.running.startedAt}' >/dev/null
kubectl -n $ns exec immutable -c debugger -- sh -c 'echo shell works' >/dev/null
`,
};

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round((sorted[index] ?? NaN) * 10) / 10;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      lab: { type: 'string', default: 'immutable-pods' },
      iterations: { type: 'string', default: '30' },
      cluster: { type: 'string' },
      kubeconfig: { type: 'string' },
      'no-prepare': { type: 'boolean', default: false },
    },
  });
  const iterations = Math.max(3, Number(values.iterations));
  const clusterName = values.cluster ?? process.env.HARDENING_LAB_CLUSTER ?? DEFAULT_CLUSTER_NAME;
  const provider = new KindProvider({ name: clusterName, image: 'unused', kindConfig: 'unused' });
  const kubeconfig = values.kubeconfig ?? process.env.KUBECONFIG ?? provider.kubeconfigPath();
  const loaded = await loadLab(path.join(ROOT, 'labs', values.lab));
  if (!loaded.ok) throw new Error(`lab ${values.lab} does not load:\n${loaded.problems.map(formatProblem).join('\n')}`);
  const lab = loaded.lab;
  console.log(
    `bench:checks — lab ${lab.id}, cluster ${clusterName}, kubeconfig ${kubeconfig}, ${iterations} iterations`,
  );

  if (!values['no-prepare']) {
    // Checks are measured on the solved lab: every check then runs all of its evidence.
    const scripts = new NodeScriptRunner({ provider });
    const step = async (name: string, script: string) => {
      const run = await scripts.run(lab, { node: lab.runOn, name, script, timeoutMs: SCRIPT_TIMEOUT_MS.solution });
      if (!run.ok) throw new Error(`preparing: ${name} failed (exit ${String(run.exitCode)}):\n${run.log}`);
    };
    console.log('preparing: cleanup, setup, every solution…');
    await step('cleanup', lab.cleanup);
    await scripts.copyLabFiles(lab);
    if (lab.setup) await step('setup', lab.setup);
    for (const s of lab.steps) await step(s.id, s.solution);
  }

  const view = new KubeClusterView({ provider, kubeconfigPath: kubeconfig });
  const runner = new CheckRunner({ view: () => view });
  const named = lab.steps.map((s) => ({ name: `${lab.id}/${s.checkName}`, check: s.check, step: s.id }));
  try {
    // Warm-up: connection pool, TLS session, JIT.
    for (let i = 0; i < 3; i++) await runner.sweep(named);
    const sanity = await runner.sweep(named);
    sanity.forEach((r, i) => {
      if (!r.ok)
        console.log(
          `  note: ${named[i]?.step} does not pass (${
            r.error ??
            r.findings
              .filter((f) => !f.ok)
              .map((f) => f.expected)
              .join('; ')
          }): timing it anyway`,
        );
    });

    console.log('\ncheck                          p50 ms   p95 ms');
    for (const n of named) {
      const samples: number[] = [];
      for (let i = 0; i < iterations; i++) samples.push(await time(() => runner.run(n)));
      console.log(
        `${n.step.padEnd(30)} ${String(percentile(samples, 50)).padStart(7)}  ${String(percentile(samples, 95)).padStart(7)}`,
      );
    }
    const sweep: number[] = [];
    for (let i = 0; i < iterations; i++) sweep.push(await time(() => runner.sweep(named)));
    const sweepP50 = percentile(sweep, 50);
    const sweepP95 = percentile(sweep, 95);
    console.log(
      `${'sweep (all checks at once)'.padEnd(30)} ${String(sweepP50).padStart(7)}  ${String(sweepP95).padStart(7)}`,
    );

    const baseline = KUBECTL_BASELINES[lab.id];
    let kubectlP50: number | null = null;
    if (baseline) {
      const kubectlIterations = Math.max(3, Math.min(iterations, 10));
      const samples: number[] = [];
      for (let i = 0; i < kubectlIterations + 1; i++) {
        const ms = await time(() => execa('bash', ['-c', baseline], { env: { KUBECONFIG: kubeconfig }, reject: true }));
        if (i > 0) samples.push(ms); // the first run warms kubectl's discovery cache
      }
      kubectlP50 = percentile(samples, 50);
      console.log(
        `${'kubectl bash sweep'.padEnd(30)} ${String(kubectlP50).padStart(7)}  ${String(percentile(samples, 95)).padStart(7)}   (${kubectlIterations} runs)`,
      );
    } else {
      console.log(`(no kubectl baseline written for ${lab.id})`);
    }
    const speedup = kubectlP50 === null ? null : Math.round((kubectlP50 / sweepP50) * 10) / 10;
    console.log(
      `\ntargets: sweep p95 ≤ 300 ms (${sweepP95 <= 300 ? 'met' : 'MISSED'}), speedup ≥ 5 (${speedup === null ? 'n/a' : speedup >= 5 ? 'met' : 'MISSED'})`,
    );
    console.log(
      JSON.stringify({
        lab: lab.id,
        sweep_p50_ms: sweepP50,
        sweep_p95_ms: sweepP95,
        kubectl_sweep_p50_ms: kubectlP50,
        speedup,
      }),
    );
  } finally {
    view.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
