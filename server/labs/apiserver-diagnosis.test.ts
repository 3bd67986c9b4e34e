// The break-glass diagnosis: parsing recorded crictl output, recognising the
// common causes in the apiserver's own log lines and kubelet's journal, and
// the HTTP routes end to end with the local-shell stand-in provider (a test
// double whose "node" commands run here), a fake `crictl`, `curl` and
// `journalctl` on PATH, and a real restore of a file from a node-side copy.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalShellStandInProvider } from '../cluster/local-shell-stand-in.js';
import type { ExecResult } from '../checks/cluster-view.js';
import { apiserverDiagnosisSchema, restoreResultSchema } from './apiserver-diagnosis-protocol.js';
import {
  CRICTL_PS_ARGV,
  CRICTL_PS_JSON_ARGV,
  KUBELET_JOURNAL_ARGV,
  READYZ_ARGV,
  diagnoseApiserver,
  explainFacts,
  filterKubeletJournal,
  parseCrictlJson,
  type NodeRunner,
} from './apiserver-diagnosis.js';
import { createBreakGlassRouter, engineThenNodeCopyRestorer, nodeCopyRestorer } from './apiserver-diagnosis-routes.js';
import type { LoadedLab } from './lab.js';
import { loadDiagnosisRecording } from './apiserver-diagnosis-recording.js';

const fixture = loadDiagnosisRecording();
const crash = fixture.crashLoop;

const ok = (stdout: string): ExecResult => ({ exitCode: 0, stdout, stderr: '' });

/** A NodeRunner answering from the recording; anything else is a test failure. */
function recordedRunner(answers: [string[], ExecResult][]): NodeRunner & { calls: string[][] } {
  const calls: string[][] = [];
  const run = async (_node: string, argv: string[]) => {
    calls.push(argv);
    const hit = answers.find(([a]) => JSON.stringify(a) === JSON.stringify(argv));
    if (!hit) throw new Error(`unrecorded node command ${JSON.stringify(argv)}`);
    return hit[1];
  };
  return Object.assign(run, { calls });
}

const provider = new LocalShellStandInProvider({ name: 'diagnosis-test' });

describe('parsing crictl', () => {
  it('reads containers from `crictl ps -a -o json`, newest first', () => {
    const containers = parseCrictlJson(crash.crictlPsJson);
    expect(containers.length).toBeGreaterThanOrEqual(1);
    expect(containers.every((c) => c.state === 'exited' || c.state === 'running')).toBe(true);
    const times = containers.map((c) => c.createdAt);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(containers[0]?.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('tolerates garbage and an empty list', () => {
    expect(parseCrictlJson('not json')).toEqual([]);
    expect(parseCrictlJson(fixture.noContainer.crictlPsJson)).toEqual([]);
  });
});

describe('explaining the cause', () => {
  const exited = parseCrictlJson(crash.crictlPsJson);

  it('names an unmounted policy file from the recorded log', () => {
    const hint = explainFacts({
      healthy: false,
      containers: exited,
      logTail: `${crash.logs.stdout}${crash.logs.stderr}`,
    });
    expect(hint).toContain('cannot open /etc/kubernetes/audit/policy.yaml inside its container');
    expect(hint).toContain('volumeMount');
  });

  it.each([
    [
      'E1127 02:09:27.998567 1 run.go:72] "command failed" err="loading audit policy file: failed decoding: no kind \\"Policy\\" is registered for version \\"audit.k8s.io/v1beta1\\" in scheme \\"pkg/runtime/scheme.go:110\\": from file /etc/kubernetes/audit/policy.yaml"',
      'apiVersion: audit.k8s.io/v1',
    ],
    ['Error: unknown flag: --audit-policy-fle', 'does not know the flag --audit-policy-fle'],
    [
      'E1127 02:09:33.555334 1 run.go:72] "command failed" err="loading audit policy file: rules[0].level: Unsupported value: \\"metadata\\": supported values: \\"None\\", \\"Metadata\\", \\"Request\\", \\"RequestResponse\\": from file /p.yaml"',
      'level "metadata"',
    ],
    [
      'E1127 02:09:34.743409 1 run.go:72] "command failed" err="loading audit policy file: loaded illegal policy with 0 rules: from file /p.yaml"',
      'no rules',
    ],
    [
      'E1127 02:09:36.069368 1 run.go:72] "command failed" err="loading audit policy file: failed decoding: yaml: line 5: mapping values are not allowed in this context: from file /p.yaml"',
      'not valid YAML',
    ],
    [
      'E1127 02:09:49.095905 1 run.go:72] "command failed" err="ensureLogFile: open /var/log/kubernetes/audit: is a directory"',
      'is a directory',
    ],
    [
      'E1127 02:09:50.525318 1 run.go:72] "command failed" err="loading audit policy file: rules[0].level: Required value: from file /p.yaml"',
      'has no level',
    ],
  ])('recognises %s', (line, expected) => {
    expect(explainFacts({ healthy: false, containers: exited, logTail: line })).toContain(expected);
  });

  it.each([
    ['yamlError', 'kubelet cannot read the manifest (yaml: line 16: did not find expected key)'],
    ['hostPathMissing', '/etc/kubernetes/audit-policy.yaml is not a file on the node (hostPath type File)'],
    ['mountWithoutVolume', 'the volumeMount "audit-policy" names a volume that spec.volumes does not define'],
  ] as const)("reads kubelet's recorded journal when no container was created: %s", (name, expected) => {
    const kubeletTail = filterKubeletJournal(fixture.noContainer.journals[name]);
    // The apiserver-is-down noise (mirror pods, node status, events) is dropped.
    expect(kubeletTail).not.toMatch(/mirror pod|Unable to write event/);
    expect(explainFacts({ healthy: false, containers: [], logTail: '', kubeletTail })).toContain(expected);
  });

  it('says "wait" for a running container that is not ready yet, and "nothing to repair" when healthy', () => {
    const running = [{ id: 'a'.repeat(64), state: 'running' as const, attempt: 1, createdAt: 1 }];
    expect(
      explainFacts({ healthy: false, containers: running, logTail: 'I1127 server.go:150] Version: v1.34.0' }),
    ).toContain('not ready yet');
    expect(explainFacts({ healthy: true, containers: running, logTail: '' })).toContain('nothing to repair');
  });
});

describe('diagnoseApiserver', () => {
  it("gathers readyz, crictl ps and the newest container's log tail", async () => {
    const newest = parseCrictlJson(crash.crictlPsJson)[0]?.id ?? '';
    const run = recordedRunner([
      [READYZ_ARGV, crash.readyz],
      [CRICTL_PS_ARGV, ok(crash.crictlPs)],
      [CRICTL_PS_JSON_ARGV, ok(crash.crictlPsJson)],
      [['crictl', 'logs', '--tail', '30', newest], crash.logs],
    ]);
    const d = await diagnoseApiserver(provider, {
      run,
      now: () => new Date('2026-11-27T02:45:00Z'),
      restorable: ['control-plane:/etc/kubernetes/manifests/kube-apiserver.yaml'],
    });
    expect(apiserverDiagnosisSchema.parse(d)).toEqual(d);
    expect(d).toMatchObject({
      healthy: false,
      readyz: 'connection refused (nothing listens on 6443)',
      containerId: newest,
      checkedAt: '2026-11-27T02:45:00.000Z',
    });
    expect(d.crictlPs).toBe(crash.crictlPs.trimEnd());
    expect(d.logTail).toContain('failed to read file path');
    expect(d.hint).toContain('/etc/kubernetes/audit/policy.yaml');
  });

  it("shows the exited attempt's log while kubelet has already created the next one", async () => {
    // As seen on kind: "Created kube-apiserver 1" above "Exited kube-apiserver 0" for a moment.
    const recorded = JSON.parse(crash.crictlPsJson) as { containers: Record<string, unknown>[] };
    const exited = recorded.containers[0] ?? {};
    const created = {
      ...exited,
      id: 'f'.repeat(64),
      state: 'CONTAINER_CREATED',
      createdAt: String(BigInt(String(exited.createdAt)) + 15_000_000_000n),
      metadata: { name: 'kube-apiserver', attempt: 4 },
    };
    const json = JSON.stringify({ containers: [created, exited] });
    const run = recordedRunner([
      [READYZ_ARGV, crash.readyz],
      [CRICTL_PS_ARGV, ok(crash.crictlPs)],
      [CRICTL_PS_JSON_ARGV, ok(json)],
      [['crictl', 'logs', '--tail', '30', String(exited.id)], crash.logs],
    ]);
    const d = await diagnoseApiserver(provider, { run });
    expect(d.containers.map((c) => c.state)).toEqual(['created', 'exited']);
    expect(d.containerId).toBe(exited.id);
    expect(d.hint).toContain('cannot open /etc/kubernetes/audit/policy.yaml');
  });

  it('does not fetch logs when the apiserver is healthy', async () => {
    const run = recordedRunner([
      [READYZ_ARGV, ok('ok')],
      [CRICTL_PS_ARGV, ok(crash.crictlPs)],
      [CRICTL_PS_JSON_ARGV, ok(crash.crictlPsJson)],
    ]);
    const d = await diagnoseApiserver(provider, { run });
    expect(d.healthy).toBe(true);
    expect(run.calls).toHaveLength(3);
  });

  it('asks kubelet when there is no container at all', async () => {
    const run = recordedRunner([
      [READYZ_ARGV, { exitCode: 7, stdout: '', stderr: '' }],
      [CRICTL_PS_ARGV, ok(fixture.noContainer.crictlPs)],
      [CRICTL_PS_JSON_ARGV, ok(fixture.noContainer.crictlPsJson)],
      [KUBELET_JOURNAL_ARGV, ok(fixture.noContainer.journals.yamlError)],
    ]);
    const d = await diagnoseApiserver(provider, { run });
    expect(d.containerId).toBeUndefined();
    expect(d.kubeletTail).toContain('Could not process manifest file');
    expect(d.hint).toContain('kubelet cannot read the manifest');
  });
});

describe('break-glass routes (stand-in provider, fake crictl on PATH)', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hl-break-glass-'));
  const bin = path.join(home, 'bin');
  const copyRoot = path.join(home, 'copies');
  const target = path.join(home, 'manifests', 'kube-apiserver.yaml');
  const lab: LoadedLab = {
    id: 'api-auditing',
    dir: home,
    title: 'API server auditing',
    summary: 's',
    minutes: 1,
    requires: [],
    images: [],
    intro: '',
    cleanup: '',
    runOn: 'control-plane',
    backups: [{ node: 'control-plane', path: target }],
    steps: [],
  };
  const noBackups: LoadedLab = { ...lab, id: 'no-backups', backups: [] };
  const savedPath = process.env.PATH;
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    fs.mkdirSync(bin, { recursive: true });
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const data = path.join(home, 'data');
    fs.mkdirSync(data);
    fs.writeFileSync(path.join(data, 'ps.txt'), crash.crictlPs);
    fs.writeFileSync(path.join(data, 'ps.json'), crash.crictlPsJson);
    fs.writeFileSync(path.join(data, 'logs.txt'), crash.logs.stderr);
    // Stand-ins for the node's tools; named so, and only on this test's PATH.
    const script = (body: string) => `#!/usr/bin/env bash\n# TEST STAND-IN (apiserver-diagnosis.test.ts)\n${body}\n`;
    fs.writeFileSync(
      path.join(bin, 'crictl'),
      script(
        `case "$*" in\n  *"-o json"*) cat '${data}/ps.json' ;;\n  logs*) cat '${data}/logs.txt' >&2 ;;\n  ps*) cat '${data}/ps.txt' ;;\n  *) exit 1 ;;\nesac`,
      ),
      { mode: 0o755 },
    );
    fs.writeFileSync(path.join(bin, 'curl'), script('exit 7'), { mode: 0o755 });
    process.env.PATH = `${bin}${path.delimiter}${savedPath ?? ''}`;

    const standIn = new LocalShellStandInProvider({ name: 'break-glass', home });
    const app = express();
    app.use(express.json());
    app.use(
      '/api',
      createBreakGlassRouter({
        provider: standIn,
        labs: { get: (id) => [lab, noBackups].find((l) => l.id === id) },
        nodeCopyRoot: copyRoot,
      }),
    );
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });

  afterAll(async () => {
    process.env.PATH = savedPath;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('GET /labs/:lab/diagnosis runs crictl and curl on the "node"', async () => {
    const response = await fetch(`${base}/labs/api-auditing/diagnosis`);
    expect(response.status).toBe(200);
    const d = apiserverDiagnosisSchema.parse(await response.json());
    expect(d.healthy).toBe(false);
    expect(d.crictlPs).toContain('kube-apiserver');
    expect(d.logTail).toContain('failed to read file path');
    expect(d.hint).toContain('/etc/kubernetes/audit/policy.yaml');
    expect(d.restorable).toEqual([`control-plane:${target}`]);
  });

  it('answers 404 for an unknown or malformed lab', async () => {
    expect((await fetch(`${base}/labs/nope/diagnosis`)).status).toBe(404);
    expect((await fetch(`${base}/labs/..%2Fetc/diagnosis`)).status).toBe(404);
  });

  it('POST restore-backups says when there is no copy, then restores atomically from the node-side copy', async () => {
    fs.writeFileSync(target, 'broken: [\n');
    const missing = restoreResultSchema.parse(
      await (await fetch(`${base}/labs/api-auditing/restore-backups`, { method: 'POST' })).json(),
    );
    expect(missing).toMatchObject({ ok: false, restored: [] });
    expect(missing.log).toContain('no copy at');

    fs.mkdirSync(path.join(copyRoot, 'api-auditing'), { recursive: true });
    fs.writeFileSync(path.join(copyRoot, 'api-auditing', 'kube-apiserver.yaml'), 'apiVersion: v1\nkind: Pod\n');
    const done = restoreResultSchema.parse(
      await (await fetch(`${base}/labs/api-auditing/restore-backups`, { method: 'POST' })).json(),
    );
    expect(done).toMatchObject({ ok: true, restored: [`control-plane:${target}`] });
    expect(fs.readFileSync(target, 'utf8')).toBe('apiVersion: v1\nkind: Pod\n');
    // No hidden temp file left beside the target for kubelet to trip over.
    expect(fs.readdirSync(path.dirname(target))).toEqual(['kube-apiserver.yaml']);
  });

  it('refuses a restore for a lab that backs up nothing', async () => {
    const response = await fetch(`${base}/labs/no-backups/restore-backups`, { method: 'POST' });
    expect(response.status).toBe(409);
  });
});

describe('engineThenNodeCopyRestorer', () => {
  const lab = {
    id: 'x',
    backups: [{ node: 'control-plane', path: '/etc/kubernetes/manifests/kube-apiserver.yaml' }],
  } as unknown as LoadedLab;

  it("uses the engine's backup when it has one", async () => {
    const restore = engineThenNodeCopyRestorer(
      {
        restore: async () => ({
          ok: true,
          log: [
            'restored control-plane:/etc/kubernetes/manifests/kube-apiserver.yaml (backed up 2026-11-27T02:00:00Z)',
          ],
        }),
      },
      async () => {
        throw new Error('must not fall back');
      },
    );
    expect(await restore(lab)).toMatchObject({
      ok: true,
      restored: ['control-plane:/etc/kubernetes/manifests/kube-apiserver.yaml'],
    });
  });

  it('falls back to the node-side copy when the engine has none', async () => {
    const run: NodeRunner = async (_node, argv) => ({
      exitCode: 0,
      stdout: `restored ${argv[5] ?? ''} from ${argv[4] ?? ''}\n`,
      stderr: '',
    });
    const restore = engineThenNodeCopyRestorer(
      {
        restore: async () => ({
          ok: true,
          log: [
            'no backup of control-plane:/etc/kubernetes/manifests/kube-apiserver.yaml (the lab was never started here); left as is',
          ],
        }),
      },
      nodeCopyRestorer(run),
    );
    const result = await restore(lab);
    expect(result.restored).toEqual(['control-plane:/etc/kubernetes/manifests/kube-apiserver.yaml']);
    expect(result.log).toContain('from /var/lib/hardening-lab/x/kube-apiserver.yaml');
  });
});
