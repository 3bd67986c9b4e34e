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
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podConfined } from '../../labs/apparmor/checks.js';
import { KubeClusterView } from '../../server/checks/kube-cluster-view.js';
import { KindProvider } from '../../server/cluster/kind-provider.js';
import { testLabCommand } from '../../server/cli/lab-commands.js';
import { probeHostCapabilities } from '../../server/labs/capabilities.js';
import type { LoadedLab } from '../../server/labs/lab.js';
import { loadLab } from '../../server/labs/lab-loader.js';
import { NodeScriptRunner, SCRIPT_TIMEOUT_MS } from '../../server/labs/node-scripts.js';
import type { Finding } from '../../server/protocol.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const LAB_DIR = path.join(ROOT, 'labs', 'apparmor');

// What the lab list would say about this host, before anything else.
const loaded = await loadLab(LAB_DIR);
if (!loaded.ok) throw new Error(`labs/apparmor does not load: ${JSON.stringify(loaded.problems)}`);
const lab: LoadedLab = loaded.lab;
const missing = (await probeHostCapabilities(lab.requires)).filter((c) => !c.available);
const skipReason = missing.map((c) => `${c.capability}: ${c.reason ?? 'not available'}`).join('; ');
if (skipReason) console.warn(`[cluster tier] SKIPPING the apparmor lab on this host — ${skipReason}`);

const kubeconfig = process.env.KUBECONFIG;
const cluster = process.env.HARDENING_LAB_CLUSTER;
if (!skipReason && (!kubeconfig || !cluster)) {
  throw new Error(
    'KUBECONFIG and HARDENING_LAB_CLUSTER must be set: run the cluster tier with `npm run test:cluster`.',
  );
}

const show = (findings: Finding[]) => JSON.stringify(findings, null, 2);

describe.skipIf(skipReason !== '')(`apparmor lab on "${cluster ?? '?'}"`, () => {
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

  /** Re-checks until `done` says the cluster reached the state under test. */
  async function eventually(done: (f: Finding[]) => boolean, seconds = 90): Promise<Finding[]> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const findings = await podConfined(view);
      if (done(findings) || Date.now() > deadline) return findings;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
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
      'apparmor',
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
      const findings = await eventually((f) => f.some((x) => /apparmor profile not found/.test(x.found)));
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
