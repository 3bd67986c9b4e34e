// The strace-on-etcd checks against recordings of a real kind cluster
// (v1.34, fixtures/record.ts; each file's "description" says what was done):
// the reference answers and their alternatives pass, each classic mistake
// fails with the finding that names it.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findingsPass } from '../../server/checks/check.js';
import { RecordedClusterView, type Recording } from '../../server/checks/recorded-cluster-view.js';
import { loadLab } from '../../server/labs/lab-loader.js';
import type { Finding } from '../../server/protocol.js';
import {
  ETCD_SECRETS_ARGV,
  apiserverEncryption,
  encryptionConfig,
  encryptionPrefix,
  parseEtcdGet,
  secretInPlaintext,
  secretValue,
  secretsEncrypted,
  threadIds,
  traceEtcd,
} from './checks.js';

const load = (name: string) => RecordedClusterView.fromFile(new URL(`./fixtures/${name}`, import.meta.url));
const failed = (findings: Finding[]) => findings.filter((f) => !f.ok);
const byExpected = (findings: Finding[], start: string) => findings.find((f) => f.expected.startsWith(start));

describe('lab.yaml', () => {
  it('loads, and every step names an exported check', async () => {
    const result = await loadLab(path.dirname(fileURLToPath(import.meta.url)));
    expect(result.ok ? [] : result.problems).toEqual([]);
    if (result.ok)
      expect(result.lab.steps.map((s) => s.checkName)).toEqual([
        'traceEtcd',
        'secretInPlaintext',
        'encryptionConfig',
        'apiserverEncryption',
        'secretsEncrypted',
      ]);
  });
});

describe('traceEtcd', () => {
  it('passes strace -f on etcd writing the trace file', async () => {
    const findings = await traceEtcd(await load('trace-ok.json'));
    expect(failed(findings)).toEqual([]);
    expect(findingsPass(findings)).toBe(true);
    expect(findings.map((f) => f.found)).toEqual(
      expect.arrayContaining(['strace -- version 6.1', '4 threads seen', '4 of 4 traced threads are etcd threads']),
    );
  });

  it('fails when there is no trace file, naming the path it reads', async () => {
    const findings = await traceEtcd(await load('trace-missing.json'));
    expect(failed(findings)).toEqual([
      expect.objectContaining({ found: 'no such file', where: '/root/etcd-trace.txt' }),
    ]);
    expect(failed(findings)[0]?.advice).toMatch(/-o \/root\/etcd-trace.txt/);
  });

  it('names the missing -f when the trace stayed empty (the blog command)', async () => {
    const findings = await traceEtcd(await load('trace-no-f.json'));
    const empty = failed(findings)[0];
    expect(empty?.found).toBe('the file is empty');
    expect(empty?.advice).toMatch(/Without -f, strace follows only etcd's first thread/);
  });

  it('asks to wait when a strace with -f runs but has not flushed yet', async () => {
    const view = (await load('trace-no-f.json')).with((r) => {
      const pgrep = r.nodeExecs.find((e) => e.argv.join(' ') === 'pgrep -a -x strace');
      if (pgrep)
        pgrep.result = {
          exitCode: 0,
          stdout: '4242 strace -f -p 527 -e trace=write,pwrite64 -s 512 -o /root/etcd-trace.txt\n',
          stderr: '',
        };
      return r;
    });
    expect(failed(await traceEtcd(view))[0]?.advice).toMatch(/wait a few seconds/);
  });

  it('names the missing -f when lines carry no thread id', async () => {
    const view = (await load('trace-ok.json')).with((r) => {
      const head = r.nodeExecs.find((e) => e.argv[0] === 'head');
      if (head) head.result.stdout = head.result.stdout.replace(/^\d+ +/gm, '');
      return r;
    });
    const bad = failed(await traceEtcd(view));
    expect(bad).toHaveLength(1);
    expect(bad[0]?.expected).toBe('one line per thread, prefixed by its thread id (strace -f)');
    expect(bad[0]?.advice).toMatch(/Stop this strace and start it again with -f/);
  });

  it('names kube-apiserver, the other line of ps aux | grep etcd', async () => {
    const bad = failed(await traceEtcd(await load('trace-apiserver.json')));
    expect(bad).toHaveLength(1);
    expect(bad[0]?.found).toMatch(/^they belong to kube-apiserver \(PID \d+\)$/);
    expect(bad[0]?.advice).toMatch(/--etcd-servers=.*pgrep -x etcd/);
  });

  it("tells how to install strace when the node has none (kind's official image)", async () => {
    const view = (await load('trace-ok.json')).with((r) => {
      const v = r.nodeExecs.find((e) => e.argv[0] === 'strace');
      if (v) {
        v.result = {
          exitCode: 127,
          stdout: '',
          stderr:
            'OCI runtime exec failed: exec failed: unable to start container process: exec: "strace": executable file not found in $PATH: unknown\n',
        };
      }
      return r;
    });
    const findings = await traceEtcd(view);
    expect(findings[0]).toMatchObject({
      ok: false,
      advice: expect.stringMatching(/apt-get update && apt-get install -y strace/),
    });
  });
});

describe('secretInPlaintext', () => {
  it('passes: the value is in the trace and in the WAL', async () => {
    const findings = await secretInPlaintext(await load('plaintext-ok.json'));
    expect(failed(findings)).toEqual([]);
    expect(findings).toHaveLength(3);
    expect(byExpected(findings, '"S3cr3tValue" in plaintext in etcd\'s write-ahead log')?.found).toMatch(
      /member\/wal\/.*\.wal/,
    );
  });

  it('fails without the secret and says how to create it', async () => {
    const findings = await secretInPlaintext(await load('plaintext-no-secret.json'));
    expect(findings).toEqual([expect.objectContaining({ ok: false, found: 'no such secret' })]);
    expect(findings[0]?.advice).toMatch(/kubectl create secret generic lab-secret --from-literal=password=S3cr3tValue/);
  });

  it('names the missing -f when the trace has no value', async () => {
    const findings = await secretInPlaintext(await load('plaintext-no-f.json'));
    const bad = failed(findings);
    expect(bad).toHaveLength(1);
    expect(bad[0]?.found).toBe('no line of /root/etcd-trace.txt contains it');
    expect(bad[0]?.advice).toMatch(/without -f/);
    // The WAL has it anyway: etcd wrote it, strace just did not see it.
    expect(byExpected(findings, '"S3cr3tValue" in plaintext in etcd\'s write-ahead log')?.ok).toBe(true);
  });

  it('asks to stop strace when it still runs (its output is buffered)', async () => {
    const head = await recordedHead('trace-ok.json');
    const view = (await load('plaintext-ok.json')).with((r) => {
      const grep = r.nodeExecs.find((e) => e.argv[0] === 'grep');
      if (grep) grep.result = { exitCode: 1, stdout: '0\n', stderr: '' };
      r.nodeExecs.push(
        {
          node: 'control-plane',
          argv: ['head', '-c', '16384', '/root/etcd-trace.txt'],
          result: { exitCode: 0, stdout: head, stderr: '' },
        },
        {
          node: 'control-plane',
          argv: ['pgrep', '-x', 'strace'],
          result: { exitCode: 0, stdout: '4242\n', stderr: '' },
        },
      );
      return r;
    });
    const bad = failed(await secretInPlaintext(view));
    expect(bad[0]?.advice).toMatch(
      /still running and writes its output in blocks: stop it \(kill "\$\(cat \/root\/etcd-strace.pid\)"\)/,
    );
  });
});

describe('encryptionConfig', () => {
  it('passes the reference file (aescbc, key1, identity last)', async () => {
    const findings = await encryptionConfig(await load('config-aescbc.json'));
    expect(failed(findings)).toEqual([]);
    expect(findings[0]?.found).toBe('/etc/kubernetes/enc/enc.yaml');
  });

  it('passes secretbox with another key name, in another directory, found without the flag', async () => {
    const findings = await encryptionConfig(await load('config-secretbox.json'));
    expect(failed(findings)).toEqual([]);
    expect(findings.map((f) => f.found)).toEqual(
      expect.arrayContaining(['/etc/kubernetes/secrets-at-rest/config.yaml', 'secretbox', 'key 1 "2026-11": 32 bytes']),
    );
  });

  it('follows the apiserver flag through a file mount once it is set', async () => {
    const view = await load('config-secretbox-via-flag.json');
    const findings = await encryptionConfig(view);
    expect(failed(findings)).toEqual([]);
    expect(findings[0]?.found).toBe('/etc/kubernetes/secrets-at-rest/config.yaml');
    // The flag decided: no search of /etc/kubernetes.
    expect(view.calls.some((c) => c.includes('grep'))).toBe(false);
  });

  it('fails identity first', async () => {
    const bad = failed(await encryptionConfig(await load('config-identity-first.json')));
    expect(bad).toHaveLength(1);
    expect(bad[0]?.found).toBe('identity is first (providers: identity, secretbox)');
    expect(bad[0]?.advice).toMatch(/identity first means secrets are still written in plaintext/);
  });

  it('fails when there is no file yet', async () => {
    const findings = await encryptionConfig(await load('config-missing.json'));
    expect(findings).toEqual([
      expect.objectContaining({ ok: false, where: 'grep -rl EncryptionConfiguration /etc/kubernetes' }),
    ]);
  });
});

describe('apiserverEncryption', () => {
  it('passes flag + directory mount + hostPath Directory, with the apiserver running on it', async () => {
    const findings = await apiserverEncryption(await load('apiserver-ok.json'));
    expect(failed(findings)).toEqual([]);
    expect(findings).toHaveLength(5);
    expect(byExpected(findings, 'the running kube-apiserver')?.where).toBe('pgrep -a -x kube-apiserver');
  });

  it('passes a single-file mount (type File) at another container path', async () => {
    const findings = await apiserverEncryption(await load('apiserver-secretbox-file.json'));
    expect(failed(findings)).toEqual([]);
    expect(findings.map((f) => f.found)).toEqual(
      expect.arrayContaining([
        'encryption-config at /etc/kubernetes/encryption-config.yaml',
        'regular file, type: File',
      ]),
    );
  });

  it('fails the pristine manifest: flag missing', async () => {
    const findings = await apiserverEncryption(await load('apiserver-no-flag.json'));
    expect(findings).toEqual([expect.objectContaining({ ok: false, found: 'flag missing' })]);
  });

  it('names a flag without its mount (the apiserver exits with "no such file or directory")', async () => {
    const bad = failed(await apiserverEncryption(await load('apiserver-flag-only.json')));
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({
      found: 'no volumeMount covers it',
      advice: expect.stringMatching(/no such file or directory/),
    });
  });

  it('names a flag and a mount that do not agree', async () => {
    const bad = failed(await apiserverEncryption(await load('apiserver-path-mismatch.json')));
    expect(bad[0]?.found).toBe(
      'mounts include /etc/kubernetes/encryption, which does not contain /etc/kubernetes/enc/enc.yaml',
    );
    expect(bad[0]?.advice).toMatch(/Make the flag and the mountPath agree/);
  });

  it('names hostPath type File on a directory, and the refused pod', async () => {
    const findings = await apiserverEncryption(await load('apiserver-wrong-type.json'));
    expect(failed(findings).map((f) => f.found)).toEqual(['directory, type: File', 'no kube-apiserver process']);
    expect(byExpected(findings, 'hostPath')?.advice).toMatch(/type: Directory.*hostPath type check failed/);
    expect(byExpected(findings, 'the running kube-apiserver')?.advice).toMatch(/journalctl -u kubelet/);
  });

  it('waits for the restart when the running apiserver does not have the flag yet', async () => {
    const view = (await load('apiserver-ok.json')).with((r) => {
      const pgrep = r.nodeExecs.find((e) => e.argv[0] === 'pgrep');
      if (pgrep)
        pgrep.result.stdout = pgrep.result.stdout.replace(
          ' --encryption-provider-config=/etc/kubernetes/enc/enc.yaml',
          '',
        );
      return r;
    });
    const bad = failed(await apiserverEncryption(view));
    expect(bad).toEqual([
      expect.objectContaining({
        found: 'it runs without the flag',
        advice: expect.stringMatching(/within about 20 seconds/),
      }),
    ]);
  });
});

describe('secretsEncrypted', () => {
  it('passes aescbc: k8s:enc:aescbc:v1:key1: and no plaintext, for every secret', async () => {
    const findings = await secretsEncrypted(await load('etcd-aescbc.json'));
    expect(findingsPass(findings)).toBe(true);
    expect(findings[0]?.found).toBe('starts with k8s:enc:aescbc:v1:key1:, no "S3cr3tValue" in it');
    expect(findings[1]?.found).toBe('2 of 2 secrets start with k8s:enc:');
  });

  it('passes secretbox with another key name and another data key', async () => {
    const findings = await secretsEncrypted(await load('etcd-secretbox.json'));
    expect(failed(findings)).toEqual([]);
    expect(findings[0]?.found).toBe('starts with k8s:enc:secretbox:v1:2026-11:, no "an0ther-Value" in it');
  });

  it('fails secrets that were not rewritten, with the rewrite command', async () => {
    const findings = await secretsEncrypted(await load('etcd-not-rewritten.json'));
    const bad = failed(findings);
    expect(bad.map((f) => f.found)).toEqual([
      expect.stringMatching(/^plaintext: k8s\.\.\.\.\.v1\.\.Secret/),
      '2 of 2 still plaintext: default/lab-secret, kube-system/bootstrap-token-abcdef',
    ]);
    for (const f of bad) expect(f.advice).toMatch(/kubectl get secrets -A -o json \| kubectl replace -f -/);
  });

  it('names identity first as the reason a rewrite stayed plaintext', async () => {
    const bad = failed(await secretsEncrypted(await load('etcd-identity-first.json')));
    expect(bad.map((f) => f.found)).toEqual([
      expect.stringMatching(/^plaintext: /),
      '1 of 2 still plaintext: default/lab-secret',
    ]);
    for (const f of bad) expect(f.advice).toMatch(/identity FIRST/);
  });

  it('fails with encryption off and no lab-secret (after cleanup)', async () => {
    const findings = await secretsEncrypted(await load('etcd-after-cleanup.json'));
    expect(failed(findings).map((f) => f.found)).toEqual([
      'no such key in etcd',
      '1 of 1 still plaintext: kube-system/bootstrap-token-abcdef',
    ]);
    expect(failed(findings)[1]?.advice).toMatch(/has no --encryption-provider-config/);
  });

  it('does not accept aesgcm', async () => {
    const view = (await load('etcd-aescbc.json')).with((r) => {
      const exec = r.execs[0];
      if (exec) {
        const body = JSON.parse(exec.result.stdout) as { kvs: { key: string; value: string }[] };
        for (const kv of body.kvs) {
          const value = Buffer.from(kv.value, 'base64');
          kv.value = Buffer.concat([
            Buffer.from('k8s:enc:aesgcm:v1:key1:'),
            value.subarray('k8s:enc:aescbc:v1:key1:'.length),
          ]).toString('base64');
        }
        exec.result.stdout = JSON.stringify(body);
      }
      return r;
    });
    const bad = failed(await secretsEncrypted(view));
    expect(bad).toEqual([
      expect.objectContaining({
        expected: '/registry/secrets/default/lab-secret stored encrypted with aescbc or secretbox',
        found: 'starts with k8s:enc:aesgcm:v1:key1:',
      }),
    ]);
  });

  it('says so when the etcd image has no etcdctl', async () => {
    const view = (await load('etcd-aescbc.json')).with((r) => {
      const exec = r.execs[0];
      if (exec)
        exec.result = {
          exitCode: null,
          stdout: '',
          stderr: '',
          failure: 'exec: "etcdctl": executable file not found in $PATH',
        };
      return r;
    });
    const findings = await secretsEncrypted(view);
    expect(findings).toEqual([expect.objectContaining({ ok: false, advice: 'This etcd image has no etcdctl.' })]);
  });
});

describe('helpers', () => {
  it('reads thread ids only from strace -f lines', () => {
    expect([
      ...threadIds(['658   write(15, "x", 1) = 1', '660   write(9, "y", 1) = 1', 'write(1, "z", 1) = 1']),
    ]).toEqual(['658', '660']);
  });

  it('tells encrypted values from protobuf plaintext', () => {
    expect(encryptionPrefix(Buffer.from('k8s:enc:aescbc:v1:key1:\x00\x01'))).toEqual({
      provider: 'aescbc',
      prefix: 'k8s:enc:aescbc:v1:key1:',
    });
    expect(encryptionPrefix(Buffer.from('k8s\x00\n\x0c\n\x02v1\x12\x06Secret'))).toBeUndefined();
    expect(parseEtcdGet({ exitCode: 1, stdout: '', stderr: 'context deadline exceeded' })).toBeUndefined();
    expect(ETCD_SECRETS_ARGV.slice(-5)).toEqual(['get', '/registry/secrets/', '--prefix', '-w', 'json']);
  });

  it('takes data.password, else the first data key', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    expect(secretValue({ data: { user: b64('u'), password: b64('p') } })).toEqual({ key: 'password', text: 'p' });
    expect(secretValue({ data: { token: b64('t') } })).toEqual({ key: 'token', text: 't' });
    expect(secretValue({})).toBeUndefined();
  });
});

/** The head of a real -f trace, reused as "what strace had flushed so far". */
async function recordedHead(fixture: string): Promise<string> {
  const recording = JSON.parse(
    await fs.readFile(new URL(`./fixtures/${fixture}`, import.meta.url), 'utf8'),
  ) as Recording;
  return recording.nodeExecs?.find((e) => e.argv[0] === 'head')?.result.stdout ?? '';
}
