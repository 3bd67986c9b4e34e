// The api-auditing checks against recorded node files and command results:
// pristine cluster, the half-done edit that crash-loops the apiserver, and
// the finished lab. Variations (wrong policies, wrong mounts, other correct
// answers) are patches of those recordings, so every test starts from what a
// real node showed.
import { describe, expect, it } from 'vitest';
import { findingsPass } from '../../server/checks/check.js';
import { RecordedClusterView, type Recording } from '../../server/checks/recorded-cluster-view.js';
import type { ExecResult } from '../../server/checks/cluster-view.js';
import type { Finding } from '../../server/protocol.js';
import { APISERVER_HEALTH_EXPECTED } from '../../server/labs/apiserver-diagnosis-protocol.js';
import { APISERVER_MANIFEST } from './apiserver-manifest.js';
import {
  DEFAULT_LOG_PATH,
  DEFAULT_POLICY_PATH,
  auditPolicy,
  auditingEnabled,
  judgePolicy,
  makeSecretsLoggedAtMetadata,
  parseAuditLines,
} from './checks.js';

type Parsed = Parameters<Parameters<RecordedClusterView['with']>[0]>[0];

const fixture = (name: string) => RecordedClusterView.fromFile(new URL(`./fixtures/${name}.json`, import.meta.url));
const failed = (findings: Finding[]) => findings.filter((f) => !f.ok);
const nodeKey = (path: string) => `control-plane:${path}`;

function patch(view: RecordedClusterView, change: (r: Parsed) => void): RecordedClusterView {
  return view.with((r) => {
    change(r);
    return r as Recording;
  });
}
const withFile = (view: RecordedClusterView, path: string, text: string | undefined) =>
  patch(view, (r) => {
    r.nodeFiles = Object.fromEntries(Object.entries(r.nodeFiles).filter(([key]) => key !== nodeKey(path)));
    if (text !== undefined) r.nodeFiles[nodeKey(path)] = text;
  });
const manifestOf = (view: RecordedClusterView) =>
  view.readNodeFile('control-plane', APISERVER_MANIFEST).then((t) => t ?? '');
const withManifest = async (view: RecordedClusterView, edit: (text: string) => string) =>
  withFile(view, APISERVER_MANIFEST, edit(await manifestOf(view)));
function withExec(view: RecordedClusterView, argv: string[], result: Partial<ExecResult>): RecordedClusterView {
  return patch(view, (r) => {
    r.nodeExecs = r.nodeExecs.filter((e) => JSON.stringify(e.argv) !== JSON.stringify(argv));
    r.nodeExecs.push({ node: 'control-plane', argv, result: { exitCode: 0, stdout: '', stderr: '', ...result } });
  });
}
/** Argv of a recorded exec, found by its first words (so tests follow the recording). */
async function recordedExec(
  view: RecordedClusterView,
  ...prefix: string[]
): Promise<{ argv: string[]; result: ExecResult }> {
  const recording = (view as unknown as { recording: Parsed }).recording;
  const entry = recording.nodeExecs.find((e) => prefix.every((p, i) => e.argv[i] === p));
  if (!entry) throw new Error(`no recorded exec starting with ${prefix.join(' ')}`);
  return { argv: entry.argv, result: { ...entry.result } };
}

const GOOD_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages:
  - RequestReceived
rules:
  - level: Metadata
    resources:
      - group: ""
        resources: ["secrets"]
  - level: None
    nonResourceURLs: ["/healthz*", "/livez*", "/readyz*"]
  - level: Metadata
`;

describe('step 1: auditPolicy', () => {
  it('fails on a fresh cluster, saying where the policy is expected', async () => {
    const findings = await auditPolicy(await fixture('pristine'));
    expect(findingsPass(findings)).toBe(false);
    expect(findings[0]?.found).toContain(`no file at ${DEFAULT_POLICY_PATH}`);
    expect(findings[0]?.advice).toContain('mkdir -p /etc/kubernetes/audit');
  });

  it('passes the reference policy', async () => {
    const view = withFile(await fixture('pristine'), DEFAULT_POLICY_PATH, GOOD_POLICY);
    const findings = await auditPolicy(view);
    expect(failed(findings)).toEqual([]);
    expect(findings.at(-1)?.found).toMatch(
      /get, list, watch, create, update, patch, delete by anyone → Metadata via rules\[0\]/,
    );
  });

  it('accepts Metadata for everything in a single rule', async () => {
    const policy = 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n';
    expect(failed(await auditPolicy(withFile(await fixture('pristine'), DEFAULT_POLICY_PATH, policy)))).toEqual([]);
  });

  it('accepts extra rules, noise filters and richer levels for other resources after the secrets rule', async () => {
    const policy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: None
  users: ["system:kube-proxy"]
  verbs: ["watch"]
- level: None
  userGroups: ["system:nodes"]
  verbs: ["get"]
  resources:
  - group: ""
    resources: ["nodes", "nodes/status"]
- level: Metadata
  resources:
  - group: ""
    resources: ["secrets", "configmaps", "serviceaccounts/token"]
  - group: "authentication.k8s.io"
    resources: ["tokenreviews"]
- level: RequestResponse
  resources:
  - group: ""
    resources: ["pods", "pods/exec"]
- level: Request
  omitStages: ["ResponseStarted"]
`;
    expect(failed(await auditPolicy(withFile(await fixture('pristine'), DEFAULT_POLICY_PATH, policy)))).toEqual([]);
  });

  it('names the removed audit.k8s.io/v1beta1', async () => {
    const findings = await auditPolicy(
      withFile(
        await fixture('pristine'),
        DEFAULT_POLICY_PATH,
        GOOD_POLICY.replace('audit.k8s.io/v1', 'audit.k8s.io/v1beta1'),
      ),
    );
    const [bad] = failed(findings);
    expect(bad).toMatchObject({
      expected: 'a policy kube-apiserver accepts',
      found: 'apiVersion: audit.k8s.io/v1beta1',
    });
    expect(bad?.advice).toContain('removed in Kubernetes 1.24');
  });

  it('fails secrets at RequestResponse: the log would hold the secret data', async () => {
    const findings = await auditPolicy(
      withFile(
        await fixture('pristine'),
        DEFAULT_POLICY_PATH,
        GOOD_POLICY.replace('level: Metadata\n    resources', 'level: RequestResponse\n    resources'),
      ),
    );
    const [leak] = failed(findings);
    expect(leak?.expected).toBe('no rule logs secrets at Request or RequestResponse');
    expect(leak?.found).toContain('→ RequestResponse via rules[0]');
    expect(leak?.advice).toContain('reads every secret');
  });

  it('fails secrets at Request too (create and update carry the data)', async () => {
    const findings = await auditPolicy(
      withFile(
        await fixture('pristine'),
        DEFAULT_POLICY_PATH,
        GOOD_POLICY.replace('level: Metadata\n    resources', 'level: Request\n    resources'),
      ),
    );
    expect(failed(findings).map((f) => f.expected)).toEqual(['no rule logs secrets at Request or RequestResponse']);
  });

  it('explains an earlier catch-all that shadows the secrets rule', async () => {
    const policy = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: RequestResponse
- level: Metadata
  resources:
  - group: ""
    resources: ["secrets"]
`;
    const [leak] = failed(await auditPolicy(withFile(await fixture('pristine'), DEFAULT_POLICY_PATH, policy)));
    expect(leak?.found).toContain('rules[0] (level: RequestResponse, matches every request)');
    expect(leak?.advice).toContain('Your secrets rule rules[1] (level: Metadata) never applies');
    expect(leak?.advice).toContain('first matching rule decides');
  });

  it('explains a None rule above the secrets rule: secret reads unaudited', async () => {
    const policy = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: None
  verbs: ["get", "list", "watch"]
- level: Metadata
  resources:
  - group: ""
    resources: ["secrets"]
`;
    const [unlogged] = failed(await auditPolicy(withFile(await fixture('pristine'), DEFAULT_POLICY_PATH, policy)));
    expect(unlogged?.expected).toBe('every request on secrets logged at Metadata');
    expect(unlogged?.found).toContain('get, list, watch by anyone → None via rules[0]');
    expect(unlogged?.advice).toContain('never applies');
  });

  it('names group: core (the core group is "") and singular "secret"', async () => {
    const core = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: Metadata
  resources:
  - group: core
    resources: ["secrets"]
- level: None
`;
    const [a] = failed(await auditPolicy(withFile(await fixture('pristine'), DEFAULT_POLICY_PATH, core)));
    expect(a?.advice).toContain('the core API group (secrets, configmaps, pods) is the empty string');
    const singular = core.replace('group: core', 'group: ""').replace('["secrets"]', '["secret"]');
    const [b] = failed(await auditPolicy(withFile(await fixture('pristine'), DEFAULT_POLICY_PATH, singular)));
    expect(b?.advice).toContain('write "secrets"');
  });

  it('names a misspelt selector the apiserver would ignore', async () => {
    const policy = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: RequestResponse
  resource:
  - group: ""
    resources: ["pods"]
- level: Metadata
`;
    const findings = failed(await auditPolicy(withFile(await fixture('pristine'), DEFAULT_POLICY_PATH, policy)));
    expect(findings.map((f) => f.found)).toContain('unknown: rules[0].resource');
    // …and the consequence: the rule now matches everything, secrets included.
    expect(findings.map((f) => f.expected)).toContain('no rule logs secrets at Request or RequestResponse');
  });

  it('names a lowercase level, a missing rules list and broken YAML', async () => {
    const base = await fixture('pristine');
    const [lower] = failed(
      await auditPolicy(
        withFile(base, DEFAULT_POLICY_PATH, GOOD_POLICY.replaceAll('level: Metadata', 'level: metadata')),
      ),
    );
    expect(lower?.found).toBe('rules[0].level: "metadata"');
    expect(lower?.advice).toContain('case matters');
    const [none] = failed(
      await auditPolicy(withFile(base, DEFAULT_POLICY_PATH, 'apiVersion: audit.k8s.io/v1\nkind: Policy\n')),
    );
    expect(none?.found).toBe('no rules');
    const [yaml] = failed(
      await auditPolicy(
        withFile(base, DEFAULT_POLICY_PATH, GOOD_POLICY.replace('  - level: None', '   - level: None')),
      ),
    );
    expect(yaml?.found).toMatch(/^invalid YAML at line \d+/);
  });

  it('fails omitting ResponseComplete for secrets', async () => {
    const policy = GOOD_POLICY.replace('  - RequestReceived', '  - RequestReceived\n  - ResponseComplete');
    const [bad] = failed(await auditPolicy(withFile(await fixture('pristine'), DEFAULT_POLICY_PATH, policy)));
    expect(bad?.expected).toBe('the ResponseComplete stage kept for secrets');
  });

  it('finds a policy saved under another name, and warns about one in the manifests directory', async () => {
    const grep = ['grep', '-rlE', '^kind:[[:space:]]*Policy', '/etc/kubernetes'];
    const other = withFile(
      withExec(await fixture('pristine'), grep, { stdout: '/etc/kubernetes/audit-policy.yaml\n' }),
      '/etc/kubernetes/audit-policy.yaml',
      GOOD_POLICY,
    );
    const found = await auditPolicy(other);
    expect(failed(found)).toEqual([]);
    expect(found[0]?.found).toBe('/etc/kubernetes/audit-policy.yaml');

    const wrong = withFile(
      withExec(await fixture('pristine'), grep, { stdout: '/etc/kubernetes/manifests/audit.yaml\n' }),
      '/etc/kubernetes/manifests/audit.yaml',
      GOOD_POLICY,
    );
    const [bad] = failed(await auditPolicy(wrong));
    expect(bad?.advice).toContain('kubelet treats every file in /etc/kubernetes/manifests as a static pod');
  });

  it('follows --audit-policy-file through its volume when the manifest already names one', async () => {
    const view = withFile(
      await withManifest(await fixture('enabled'), (m) =>
        m
          .replace(
            '--audit-policy-file=/etc/kubernetes/audit/policy.yaml',
            '--audit-policy-file=/etc/kubernetes/policies/audit.yaml',
          )
          .replace('mountPath: /etc/kubernetes/audit/policy.yaml', 'mountPath: /etc/kubernetes/policies')
          .replace(
            'path: /etc/kubernetes/audit/policy.yaml\n      type: File',
            'path: /srv/audit-policies\n      type: Directory',
          ),
      ),
      '/srv/audit-policies/audit.yaml',
      GOOD_POLICY,
    );
    const findings = await auditPolicy(view);
    expect(failed(findings)).toEqual([]);
    expect(findings[0]?.found).toBe('/srv/audit-policies/audit.yaml');
  });
});

describe('step 2: auditingEnabled', () => {
  it('fails on a fresh cluster: both flags missing, apiserver healthy', async () => {
    const findings = await auditingEnabled(await fixture('pristine'));
    expect(failed(findings).map((f) => f.expected)).toEqual([
      '--audit-policy-file=<policy path> on kube-apiserver',
      '--audit-log-path=<log file> on kube-apiserver',
    ]);
    expect(findings.find((f) => f.expected === APISERVER_HEALTH_EXPECTED)?.ok).toBe(true);
  });

  it('passes the reference solution: flags, mounts, policy, health, running flags, JSON events', async () => {
    const findings = await auditingEnabled(await fixture('enabled'));
    expect(failed(findings)).toEqual([]);
    expect(findings.map((f) => f.expected)).toEqual([
      '--audit-policy-file is mounted from the node',
      '--audit-log-path on a writable hostPath volume',
      APISERVER_HEALTH_EXPECTED,
      'the running kube-apiserver uses the audit flags',
      'JSON audit events in the log',
    ]);
    expect(findings[4]?.found).toMatch(/^\d+ events in the last 50 lines; newest: /);
  });

  it('explains the half-done edit: flags without volumes crash-loop the apiserver', async () => {
    const findings = await auditingEnabled(await fixture('flags-only'));
    const bad = failed(findings);
    expect(bad[0]).toMatchObject({
      expected: 'a hostPath volume mounted at /etc/kubernetes/audit/policy.yaml (or its directory)',
      found: 'no volumeMount of the kube-apiserver container covers /etc/kubernetes/audit/policy.yaml',
    });
    expect(bad[0]?.advice).toContain('failed to read file path');
    expect(bad[1]?.expected).toBe('a hostPath volume mounted at /var/log/kubernetes/audit');
    const health = bad.find((f) => f.expected === APISERVER_HEALTH_EXPECTED);
    expect(health?.found).toContain('connection refused');
    expect(health?.advice).toContain('Restore');
  });

  it('names a volumeMount whose volume is missing', async () => {
    const view = await withManifest(await fixture('enabled'), (m) =>
      m.replace(
        / {2}- hostPath:\n {6}path: \/etc\/kubernetes\/audit\/policy.yaml\n {6}type: File\n {4}name: audit-policy\n/,
        '',
      ),
    );
    const [bad] = failed(await auditingEnabled(view));
    expect(bad?.found).toBe(
      'volumeMount "audit-policy" (mountPath /etc/kubernetes/audit/policy.yaml) names a volume that spec.volumes does not define',
    );
  });

  it('names a log directory that is not mounted, and a read-only log mount', async () => {
    const unmounted = await withManifest(await fixture('enabled'), (m) =>
      m.replace('mountPath: /var/log/kubernetes/audit\n', 'mountPath: /var/log/kubernetes/elsewhere\n'),
    );
    const [a] = failed(await auditingEnabled(unmounted));
    expect(a?.expected).toBe('a hostPath volume mounted at /var/log/kubernetes/audit');
    expect(a?.advice).toContain('invisible on the node');

    const readOnly = await withManifest(await fixture('enabled'), (m) =>
      m.replace(
        'mountPath: /var/log/kubernetes/audit\n      name: audit-log\n',
        'mountPath: /var/log/kubernetes/audit\n      name: audit-log\n      readOnly: true\n',
      ),
    );
    const [b] = failed(await auditingEnabled(readOnly));
    expect(b?.found).toBe('volumeMount "audit-log" at /var/log/kubernetes/audit is readOnly: true');
  });

  it('names a policy hostPath that points where no file is', async () => {
    const view = await withManifest(await fixture('enabled'), (m) =>
      m.replace('path: /etc/kubernetes/audit/policy.yaml', 'path: /etc/kubernetes/audit-policy.yaml'),
    );
    const [bad] = failed(await auditingEnabled(view));
    expect(bad?.found).toBe('control-plane:/etc/kubernetes/audit-policy.yaml does not exist');
    expect(bad?.advice).toContain('maps to /etc/kubernetes/audit-policy.yaml on the node');
  });

  it('names a misspelt audit flag and a policy the apiserver would refuse', async () => {
    const typo = await withManifest(await fixture('enabled'), (m) =>
      m.replace('--audit-log-maxage=7', '--audit-log-max-age=7'),
    );
    const [flag] = failed(await auditingEnabled(typo));
    expect(flag).toMatchObject({ expected: 'only flags kube-apiserver knows', found: '--audit-log-max-age' });

    const v1beta1 = withFile(
      await fixture('enabled'),
      DEFAULT_POLICY_PATH,
      GOOD_POLICY.replace('audit.k8s.io/v1', 'audit.k8s.io/v1beta1'),
    );
    const [policy] = failed(await auditingEnabled(v1beta1));
    expect(policy?.advice).toContain('removed in Kubernetes 1.24');
  });

  it('waits for kubelet: manifest edited but the old apiserver still runs', async () => {
    const base = await fixture('pristine');
    const edited = await manifestOf(await fixture('enabled'));
    const view = withExec(
      withFile(withFile(base, APISERVER_MANIFEST, edited), DEFAULT_POLICY_PATH, GOOD_POLICY),
      ['pgrep', '-a', '-x', 'kube-apiserver'],
      (await recordedExec(base, 'pgrep')).result,
    );
    const [bad] = failed(await auditingEnabled(view));
    expect(bad?.found).toContain('the running process lacks --audit-policy-file=/etc/kubernetes/audit/policy.yaml');
    expect(bad?.advice).toContain('within about 20 s');
  });

  it("accepts other consistent paths: a policy directory and the docs' FileOrCreate log file mount", async () => {
    const enabled = await fixture('enabled');
    const manifest = (await manifestOf(enabled))
      .replaceAll('/etc/kubernetes/audit/policy.yaml', '/etc/kubernetes/policies/audit-policy.yaml')
      .replace('mountPath: /etc/kubernetes/policies/audit-policy.yaml', 'mountPath: /etc/kubernetes/policies')
      .replace(
        'path: /etc/kubernetes/policies/audit-policy.yaml\n      type: File',
        'path: /etc/kubernetes/policies\n      type: DirectoryOrCreate',
      )
      .replaceAll('/var/log/kubernetes/audit/audit.log', '/var/log/audit.log')
      .replace('mountPath: /var/log/kubernetes/audit\n', 'mountPath: /var/log/audit.log\n')
      .replace(
        'path: /var/log/kubernetes/audit\n      type: DirectoryOrCreate',
        'path: /var/log/audit.log\n      type: FileOrCreate',
      );
    const pgrep = await recordedExec(enabled, 'pgrep');
    const tail = await recordedExec(enabled, 'tail');
    let view = withFile(
      withFile(enabled, APISERVER_MANIFEST, manifest),
      '/etc/kubernetes/policies/audit-policy.yaml',
      GOOD_POLICY,
    );
    view = withExec(view, pgrep.argv, {
      stdout: pgrep.result.stdout
        .replaceAll('/etc/kubernetes/audit/policy.yaml', '/etc/kubernetes/policies/audit-policy.yaml')
        .replaceAll(DEFAULT_LOG_PATH, '/var/log/audit.log'),
    });
    view = withExec(view, ['tail', '-n', '50', '/var/log/audit.log'], tail.result);
    const findings = await auditingEnabled(view);
    expect(failed(findings)).toEqual([]);
    expect(findings[1]?.found).toBe('/var/log/audit.log → control-plane:/var/log/audit.log (volume "audit-log")');
  });

  it('does not blame the learner for a log that is still empty, but says what it saw', async () => {
    const view = withExec(await fixture('enabled'), ['tail', '-n', '50', DEFAULT_LOG_PATH], {
      exitCode: 1,
      stderr: `tail: cannot open '${DEFAULT_LOG_PATH}' for reading: No such file or directory\n`,
    });
    const [bad] = failed(await auditingEnabled(view));
    expect(bad?.found).toContain('No such file or directory');
  });
});

describe('step 3: secretsLoggedAtMetadata', () => {
  const enabledProbe = async () => {
    const view = await fixture('enabled');
    const create = await recordedExec(view, 'kubectl', '-n', 'audit-lab', 'create');
    const name = create.argv[6] ?? '';
    const value = (create.argv[7] ?? '').replace('--from-literal=probe=', '');
    return {
      view,
      name,
      value,
      check: makeSecretsLoggedAtMetadata({
        probeName: () => name,
        probeValue: () => value,
        sleep: async () => {},
        attempts: 3,
      }),
    };
  };

  it("passes the finished lab: the learner's create and a fresh probe, both at Metadata without data", async () => {
    const { view, check } = await enabledProbe();
    const findings = await check(view);
    expect(failed(findings)).toEqual([]);
    expect(findings.map((f) => f.expected)).toEqual([
      'your create of secret audit-lab/db-password logged at Metadata',
      'a new secret is logged at Metadata, without its value',
    ]);
    // The probe is always deleted.
    expect(view.calls.at(-1)).toMatch(
      /execOnNode control-plane \["kubectl","-n","audit-lab","delete","secret","hl-audit-probe-/,
    );
  });

  it('fails before the learner created db-password', async () => {
    const { view, check } = await enabledProbe();
    const findings = await check(
      withExec(view, ['grep', '-F', '"name":"db-password"', DEFAULT_LOG_PATH], { exitCode: 1 }),
    );
    const [bad] = failed(findings);
    expect(bad?.found).toBe('no create event for it in the audit log');
    expect(bad?.advice).toContain('kubectl -n audit-lab create secret generic db-password');
  });

  it('fails a create logged at RequestResponse, with the data in requestObject', async () => {
    const { view, check } = await enabledProbe();
    const grep = await recordedExec(view, 'grep', '-F', '"name":"db-password"');
    const event = JSON.parse(grep.result.stdout.split('\n').find((l) => l.includes('"verb":"create"')) ?? '') as Record<
      string,
      unknown
    >;
    const leaky = {
      ...event,
      level: 'RequestResponse',
      requestObject: { kind: 'Secret', apiVersion: 'v1', data: { password: 'UzNjcjN0VmFsdWU=' } },
    };
    const [bad] = failed(await check(withExec(view, grep.argv, { stdout: `${JSON.stringify(leaky)}\n` })));
    expect(bad?.found).toContain('at RequestResponse (ResponseComplete), with requestObject');
    expect(bad?.advice).toContain('base64 in requestObject.data');
  });

  it('fails when the running policy does not log the probe (e.g. policy changed but apiserver not restarted)', async () => {
    const { view, name, check } = await enabledProbe();
    const silent = withExec(view, ['grep', '-F', `"name":"${name}"`, DEFAULT_LOG_PATH], { exitCode: 1 });
    const [bad] = failed(await check(silent));
    expect(bad?.found).toBe('the probe secret was created, but no create event for it appeared in the audit log');
    expect(bad?.advice).toContain('reads the policy only at start');
    // It looked as often as it was told to, then still deleted the probe.
    expect(silent.calls.filter((c) => c.includes('"grep"') && c.includes(name))).toHaveLength(3);
    expect(silent.calls.at(-1)).toContain('"delete","secret"');
  });

  it('names a missing lab namespace', async () => {
    const { view, check } = await enabledProbe();
    const create = await recordedExec(view, 'kubectl', '-n', 'audit-lab', 'create');
    const [bad] = failed(
      await check(
        withExec(view, create.argv, {
          exitCode: 1,
          stderr: 'error: failed to create secret namespaces "audit-lab" not found\n',
        }),
      ),
    );
    expect(bad?.advice).toContain('kubectl create namespace audit-lab');
  });

  it('reports only the health finding while the apiserver is down', async () => {
    const { check } = await enabledProbe();
    const down = withExec(
      await fixture('enabled'),
      ['curl', '-sk', '--max-time', '3', 'https://127.0.0.1:6443/readyz'],
      { exitCode: 7 },
    );
    const findings = await check(down);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ok: false, expected: APISERVER_HEALTH_EXPECTED });
  });

  it('asks for step 2 first when there is no audit log configured', async () => {
    const { check } = await enabledProbe();
    const [bad] = failed(await check(await fixture('pristine')));
    expect(bad?.expected).toBe('auditing enabled with a log file on the node');
  });
});

describe('helpers', () => {
  it('parses JSON lines and skips a torn last line', () => {
    const line = JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', verb: 'get' });
    expect(parseAuditLines(`${line}\n${line.slice(0, 20)}`)).toMatchObject({
      events: [{ event: { verb: 'get' } }],
      bad: 1,
    });
  });

  it('judges a policy text on its own (used by both steps)', () => {
    expect(findingsPass(judgePolicy(GOOD_POLICY, 'x'))).toBe(true);
  });
});
