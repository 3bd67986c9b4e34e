// Cluster tier for the api-auditing lab, on the real kind cluster that
// scripts/test-cluster.sh created (KUBECONFIG, HARDENING_LAB_CLUSTER):
//   1. what test-lab does: cleanup, setup, then per step the check FAILS,
//      the reference solution runs, the check PASSES;
//   2. the break-glass path for real: the flags without their volumes make
//      the apiserver crash-loop; the check names the missing mount, the
//      diagnosis reads crictl's view and the apiserver's last words, and the
//      restore from the node-side copy brings the apiserver back;
//   3. a policy with secrets at RequestResponse: the data really lands in
//      the log, and step 3 fails naming it;
//   4. labs in any order: cleanup after strace-on-etcd turned encryption at
//      rest on keeps it on, so encrypted secrets stay readable.
// Every case restarts the apiserver: minutes, not seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingsPass } from '../../server/checks/check.js';
import { APISERVER_HEALTH_EXPECTED, type ApiserverDiagnosis } from '../../server/labs/apiserver-diagnosis-protocol.js';
import { diagnoseApiserver, providerRunner } from '../../server/labs/apiserver-diagnosis.js';
import { nodeCopyRestorer } from '../../server/labs/apiserver-diagnosis-routes.js';
import type { LoadedStep } from '../../server/labs/lab.js';
import { LabOnCluster, show } from './support/lab-on-cluster.js';
import type { Finding } from '../../server/protocol.js';

const harness = new LabOnCluster('api-auditing', { timeoutMs: 15_000 });
const { cluster, provider, view } = harness;
const run = (name: string, script: string, timeoutMs?: number) => harness.run(name, script, timeoutMs);
const step = (id: string): LoadedStep => harness.step(id);

const check = (id: string): Promise<Finding[]> => step(id).check(view);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls the node-side diagnosis until `done` says so (the apiserver needs its time). */
async function diagnoseUntil(done: (d: ApiserverDiagnosis) => boolean, seconds = 150): Promise<ApiserverDiagnosis> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const d = await diagnoseApiserver(provider);
    if (done(d) || Date.now() > deadline) return d;
    await sleep(3000);
  }
}

/** The "flags only" half of step 2, exactly as its text shows it. */
const FLAGS_ONLY = `cat > /tmp/audit-flags.yaml <<'EOF'
    - --audit-policy-file=/etc/kubernetes/audit/policy.yaml
    - --audit-log-path=/var/log/kubernetes/audit/audit.log
EOF
cp /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/kube-apiserver.yaml.edit
sed -i '/^    - kube-apiserver$/r /tmp/audit-flags.yaml' /etc/kubernetes/kube-apiserver.yaml.edit
mv /etc/kubernetes/kube-apiserver.yaml.edit /etc/kubernetes/manifests/kube-apiserver.yaml`;

describe(`api-auditing on "${cluster}"`, () => {
  beforeAll(async () => {
    await harness.startFresh();
  });

  afterAll(() => harness.finish());

  it('test-lab: every check fails before its solution and passes after it', async () => {
    await harness.expectEachStepFailsThenPasses(check);
  }, 900_000);

  it('cleanup restores the manifest, removes policy and log, and the checks fail again', async () => {
    await harness.cleanup();
    const log = await run(
      'verify',
      `! grep -q -- --audit- /etc/kubernetes/manifests/kube-apiserver.yaml && echo manifest-clean
! pgrep -a -x kube-apiserver | grep -q -- --audit- && echo process-clean
[ ! -e /etc/kubernetes/audit ] && [ ! -e /var/log/kubernetes/audit ] && echo files-gone
kubectl get ns audit-lab >/dev/null 2>&1 || echo ns-gone`,
    );
    expect(log).toContain('manifest-clean');
    expect(log).toContain('process-clean');
    expect(log).toContain('files-gone');
    expect(log).toContain('ns-gone');
    expect(findingsPass(await check('write-policy'))).toBe(false);
    expect(findingsPass(await check('enable-auditing'))).toBe(false);
    await harness.setup();
  }, 600_000);

  it('break-glass: flags without volumes crash-loop the apiserver; check, diagnosis and restore say why and recover', async () => {
    await run('policy', step('write-policy').solution);
    await run('flags-only', FLAGS_ONLY);
    const crashed = await diagnoseUntil(
      (d) => !d.healthy && d.containers.some((c) => c.state === 'exited') && /policy\.yaml/.test(d.logTail),
    );
    expect(crashed.healthy, JSON.stringify(crashed, null, 2)).toBe(false);
    expect(crashed.crictlPs).toMatch(/Exited\s+kube-apiserver/);
    expect(crashed.logTail).toMatch(/no such file or directory/);
    expect(crashed.hint).toContain('cannot open /etc/kubernetes/audit/policy.yaml inside its container');

    const findings = await check('enable-auditing');
    expect(
      findings.find((f) => f.expected.startsWith('a hostPath volume mounted at /etc/kubernetes/audit/policy.yaml'))?.ok,
    ).toBe(false);
    expect(findings.find((f) => f.expected === APISERVER_HEALTH_EXPECTED)?.ok, show(findings)).toBe(false);

    const restored = await nodeCopyRestorer(providerRunner(provider))(harness.lab);
    expect(restored, restored.log).toMatchObject({
      ok: true,
      restored: ['control-plane:/etc/kubernetes/manifests/kube-apiserver.yaml'],
    });
    const back = await diagnoseUntil((d) => d.healthy);
    expect(back.healthy, JSON.stringify(back, null, 2)).toBe(true);
    // kubelet replaced the crash-looping pod with the original one.
    const after = await check('enable-auditing');
    expect(after.filter((f) => !f.ok).map((f) => f.expected)).toEqual([
      '--audit-policy-file=<policy path> on kube-apiserver',
      '--audit-log-path=<log file> on kube-apiserver',
    ]);
  }, 600_000);

  it('secrets at RequestResponse put the data into the log, and step 3 names it', async () => {
    await run(
      'leaky-policy',
      step('write-policy').solution.replace(
        '  - level: Metadata\n    resources:',
        '  - level: RequestResponse\n    resources:',
      ),
    );
    const policy = await check('write-policy');
    expect(policy.find((f) => !f.ok)?.expected).toBe('no rule logs secrets at Request or RequestResponse');
    await run('enable', step('enable-auditing').solution);
    await run('secret', step('prove-secrets-metadata').solution.replace(/if grep -qE[\s\S]*$/, 'echo created'));
    const leaked = await run('grep', "grep -cE 'UzNjcjN0VmFsdWU=' /var/log/kubernetes/audit/audit.log || true");
    expect(Number(leaked.trim().split('\n').at(-1))).toBeGreaterThan(0);
    const findings = await check('prove-secrets-metadata');
    const bad = findings.filter((f) => !f.ok);
    expect(bad.map((f) => f.expected)).toEqual([
      'your create of secret audit-lab/db-password logged at Metadata',
      'a new secret is logged at Metadata, without its value',
    ]);
    expect(bad[1]?.found).toContain('the secret value is in the log line');
    await harness.cleanup();
  }, 900_000);
  it('cleanup after strace-on-etcd turned encryption on keeps secrets readable', async () => {
    // This lab's pristine copy predates encryption: restoring it as it is
    // would leave every rewritten secret unreadable.
    await harness.setup();
    const strace = new LabOnCluster('strace-on-etcd', { timeoutMs: 15_000 });
    await strace.load();
    try {
      await strace.cleanup();
      await strace.setup();
      await strace.run(
        'lab-secret',
        'kubectl delete secret lab-secret --ignore-not-found && kubectl create secret generic lab-secret --from-literal=password=S3cr3tValue',
      );
      for (const id of ['encryption-config', 'enable-encryption', 'rewrite-and-prove']) {
        await strace.run(id, strace.step(id).solution);
      }
      // Auditing turned on after encryption: cleanup now restores its pre-encryption copy.
      await run('policy', step('write-policy').solution);
      await run('enable', step('enable-auditing').solution);
      // As "Reset lab" does: the saved manifest goes back first (an apiserver
      // without the encryption flag then never gets ready), then cleanup.
      await run(
        'restore-copy',
        'cp /var/lib/hardening-lab/api-auditing/kube-apiserver.yaml /etc/kubernetes/kube-apiserver.yaml.restore && mv /etc/kubernetes/kube-apiserver.yaml.restore /etc/kubernetes/manifests/kube-apiserver.yaml',
      );
      const log = await harness.cleanup();
      expect(log).toContain('encryption at rest was on: keeping it');
      const read = await run(
        'read-secrets',
        `kubectl get secrets -A -o name >/dev/null && echo list-ok
pgrep -a -x kube-apiserver | grep -q -- --encryption-provider-config && echo still-encrypting
! pgrep -a -x kube-apiserver | grep -q -- --audit- && echo auditing-off`,
      );
      expect(read).toContain('list-ok');
      expect(read).toContain('still-encrypting');
      expect(read).toContain('auditing-off');
    } finally {
      // strace-on-etcd's own cleanup decrypts and turns encryption off.
      await strace.finish();
    }
    const plain = await run(
      'plain-again',
      `kubectl get secrets -A -o name >/dev/null && echo list-ok
! pgrep -a -x kube-apiserver | grep -q -- --encryption-provider-config && echo encryption-off`,
    );
    expect(plain).toContain('list-ok');
    expect(plain).toContain('encryption-off');
  }, 1_200_000);
});
