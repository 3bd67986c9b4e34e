// Cluster tier for the strace-on-etcd lab, on the real kind cluster that
// scripts/test-cluster.sh created (KUBECONFIG, HARDENING_LAB_CLUSTER):
//   1. what test-lab does: cleanup, setup, then per step the check FAILS,
//      the reference solution runs, the check PASSES;
//   2. wrong answers made for real fail with the finding that names them
//      (strace without -f; identity first; a flag without its mount);
//   3. cleanup turns encryption off WITHOUT losing secrets and leaves the
//      cluster as it was (first check fails again, secrets readable).
// The lab restarts the apiserver several times: minutes, not seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingsPass } from '../../server/checks/check.js';
import type { LoadedStep } from '../../server/labs/lab.js';
import { LabOnCluster } from './support/lab-on-cluster.js';
import type { Finding } from '../../server/protocol.js';

// Checks run against the apiserver right after it restarted: a longer deadline than the page's.
const harness = new LabOnCluster('strace-on-etcd', { timeoutMs: 15_000 });
const { cluster, view } = harness;
const run = (name: string, script: string, timeoutMs?: number) => harness.run(name, script, timeoutMs);
const step = (id: string): LoadedStep => harness.step(id);

/** Solutions restart the apiserver: wait, by name, until it answers, then check once. */
async function check(id: string): Promise<Finding[]> {
  await harness.apiserverAnswers();
  return step(id).check(view);
}

const failedOnes = (findings: Finding[]) => findings.filter((f) => !f.ok);

describe(`strace-on-etcd on "${cluster}"`, () => {
  beforeAll(async () => {
    await harness.startFresh();
  });

  afterAll(() => harness.finish());

  it('test-lab: every check fails before its solution and passes after it', async () => {
    await harness.expectEachStepFailsThenPasses(check);
  });

  it('cleanup decrypts, restores the manifest and makes the first check fail again', async () => {
    await harness.cleanup();
    expect(findingsPass(await check('trace-etcd'))).toBe(false);
    expect(findingsPass(await check('encryption-config'))).toBe(false);
    expect(findingsPass(await check('enable-encryption'))).toBe(false);
    // Every secret is plaintext again and still readable through the API.
    const log = await run(
      'verify',
      'kubectl get secrets -A -o name | wc -l; ! pgrep -a -x kube-apiserver | grep -q -- --encryption-provider-config',
    );
    expect(Number(log.trim().split('\n')[0])).toBeGreaterThan(0);
    const etcd = (await check('rewrite-and-prove')).find((f) => f.expected === 'every secret in etcd encrypted');
    expect(etcd?.ok).toBe(false);
    expect(etcd?.found).toMatch(/^\d+ of \d+ still plaintext/);
  });

  it('names strace without -f', async () => {
    await run(
      'no-f',
      `strace -p "$(pgrep -x etcd)" -e trace=write,pwrite64 -s 512 -o /root/etcd-trace.txt </dev/null >/dev/null 2>&1 &
echo $! >/root/etcd-strace.pid
sleep 3
kubectl create secret generic lab-secret --from-literal=password=S3cr3tValue
sleep 2
kill "$(cat /root/etcd-strace.pid)"; sleep 1`,
    );
    try {
      // Without -f strace follows etcd's first thread only: usually idle (an
      // empty file, seen on kind v1.34), sometimes writing TLS records (seen
      // in CI). Either way there are no thread ids, and the check says -f.
      const traced = failedOnes(await check('trace-etcd'));
      expect(traced[0]?.found).toMatch(/^(the file is empty|no thread ids: )/);
      expect(traced[0]?.advice).toMatch(/ -f\b/);
      const inTrace = failedOnes(await check('secret-in-plaintext'));
      expect(inTrace.map((f) => f.found)).toEqual(['no line of /root/etcd-trace.txt contains it']);
      expect(inTrace[0]?.advice).toMatch(/without -f/i);
    } finally {
      // Even after a failed assertion: the next case starts from a clean lab.
      await harness.cleanup();
    }
  });

  it('names identity first, and a flag without its mount', async () => {
    await run('secret', 'kubectl create secret generic lab-secret --from-literal=password=S3cr3tValue');
    await run('config', step('encryption-config').solution);
    // identity first: valid for the apiserver, but it encrypts nothing.
    await run(
      'identity-first',
      `f=/etc/kubernetes/enc/enc.yaml
key=$(sed -n 's/^ *secret: //p' "$f")
cat >"$f" <<EOF
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - identity: {}
      - aescbc:
          keys: [{name: key1, secret: $key}]
EOF`,
    );
    const config = await check('encryption-config');
    expect(config.find((f) => !f.ok)?.found).toBe('identity is first (providers: identity, aescbc)');
    await run('enable', step('enable-encryption').solution);
    await run('rewrite', 'kubectl get secrets -A -o json | kubectl replace -f - >/dev/null');
    const stored = (await check('rewrite-and-prove')).find((f) =>
      f.expected.startsWith('/registry/secrets/default/lab-secret'),
    );
    expect(stored?.ok).toBe(false);
    expect(stored?.advice).toMatch(/identity FIRST/);
    await harness.cleanup();

    // A flag without a mount: the apiserver crash-loops; the check reads the manifest, not the API.
    await harness.setup();
    await run('config', step('encryption-config').solution);
    await run(
      'flag-only',
      `sed -i 's|^    - kube-apiserver$|&\\n    - --encryption-provider-config=/etc/kubernetes/enc/enc.yaml|' /etc/kubernetes/manifests/kube-apiserver.yaml`,
    );
    // Not check(): it waits for the apiserver, which this manifest breaks. That passed only while the
    // kubelet had not yet noticed the edit (the old apiserver still answered) and hung for 180 s once it had.
    const flagOnly = await step('enable-encryption').check(view);
    const mount = flagOnly.find((f) => f.expected.startsWith('a volumeMount'));
    expect(mount?.ok).toBe(false);
    expect(mount?.advice).toMatch(/no such file or directory/);
  });
});
