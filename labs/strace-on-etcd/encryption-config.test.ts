// The EncryptionConfiguration judge and the manifest reader on their own:
// every accepted form of a correct file passes, each classic mistake fails
// with the finding that names it.
import { describe, expect, it } from 'vitest';
import { findingsPass } from '../../server/checks/check.js';
import { flagValue, readApiserverManifest, resolveMount } from './apiserver-manifest.js';
import { base64Length, judgeEncryptionConfig } from './encryption-config.js';

const KEY32 = Buffer.alloc(32, 7).toString('base64');
const KEY16 = Buffer.alloc(16, 7).toString('base64');

function config(providers: string, resources = '      - secrets'): string {
  return `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources:
${resources}
    providers:
${providers}
`;
}
const aescbc = (secret = KEY32, name = 'key1') =>
  `      - aescbc:\n          keys:\n            - name: ${name}\n              secret: ${secret}\n`;
const secretbox = (secret = KEY32, name = 'key1') =>
  `      - secretbox:\n          keys:\n            - name: ${name}\n              secret: ${secret}\n`;
const identity = '      - identity: {}\n';

describe('judgeEncryptionConfig', () => {
  it('passes aescbc first and identity last', () => {
    const verdict = judgeEncryptionConfig(config(aescbc() + identity), '/etc/kubernetes/enc/enc.yaml');
    expect(verdict.findings.filter((f) => !f.ok)).toEqual([]);
    expect(findingsPass(verdict.findings)).toBe(true);
    expect(verdict.writer).toBe('aescbc');
    expect(verdict.keyNames).toEqual(['key1']);
  });

  it('passes secretbox, other key names, several keys and wildcard resources', () => {
    const text = config(
      secretbox(KEY32, 'k-2026') + `            - name: old\n              secret: ${KEY32}\n` + identity,
      '      - "*."',
    );
    const verdict = judgeEncryptionConfig(text, 'f');
    expect(findingsPass(verdict.findings)).toBe(true);
    expect(verdict.writer).toBe('secretbox');
    expect(verdict.keyNames).toEqual(['k-2026', 'old']);
  });

  it('passes a flow-style file (the same YAML, written as JSON)', () => {
    const text = JSON.stringify({
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'EncryptionConfiguration',
      resources: [
        {
          resources: ['secrets', 'configmaps'],
          providers: [{ aescbc: { keys: [{ name: 'a', secret: KEY16 }] } }, { identity: {} }],
        },
      ],
    });
    expect(findingsPass(judgeEncryptionConfig(text, 'f').findings)).toBe(true);
  });

  it('fails identity FIRST: nothing would be encrypted', () => {
    const verdict = judgeEncryptionConfig(config(identity + aescbc()), 'f');
    const bad = verdict.findings.filter((f) => !f.ok);
    expect(bad).toHaveLength(1);
    expect(bad[0]?.found).toBe('identity is first (providers: identity, aescbc)');
    expect(bad[0]?.advice).toMatch(/FIRST provider encrypts every write/);
  });

  it('fails aesgcm and kms with their reasons', () => {
    const gcm = judgeEncryptionConfig(config(aescbc().replace('aescbc', 'aesgcm') + identity), 'f').findings.find(
      (f) => !f.ok,
    );
    expect(gcm?.advice).toMatch(/rotated automatically/);
    const kms = judgeEncryptionConfig(
      config(
        '      - kms:\n          apiVersion: v2\n          name: k\n          endpoint: unix:///tmp/k.sock\n' +
          identity,
      ),
      'f',
    );
    expect(kms.findings.find((f) => !f.ok)?.advice).toMatch(/out of scope/);
  });

  it('fails a missing identity fallback', () => {
    const bad = judgeEncryptionConfig(config(aescbc()), 'f').findings.filter((f) => !f.ok);
    expect(bad.map((f) => f.expected)).toEqual([
      'identity as a later provider, to read secrets stored before encryption',
    ]);
    expect(bad[0]?.advice).toMatch(/cannot read the secrets that are still in plaintext/);
  });

  it('fails keys of the wrong length or not base64', () => {
    const short = judgeEncryptionConfig(config(secretbox(KEY16) + identity), 'f').findings.find((f) => !f.ok);
    expect(short?.found).toBe('key 1 "key1": secret decodes to 16 bytes');
    expect(short?.advice).toMatch(/secretbox needs 32 bytes/);
    const raw = judgeEncryptionConfig(config(aescbc('my-secret-password') + identity), 'f').findings.find((f) => !f.ok);
    expect(raw?.found).toBe('key 1 "key1": secret is not base64');
  });

  it('fails a file without an entry for secrets', () => {
    const bad = judgeEncryptionConfig(config(aescbc() + identity, '      - configmaps'), 'f').findings.filter(
      (f) => !f.ok,
    );
    expect(bad[0]?.found).toBe('no entry lists secrets');
  });

  it('fails broken YAML and the wrong kind', () => {
    expect(judgeEncryptionConfig('resources:\n  - resources: [secrets\n', 'f').findings[0]?.found).toMatch(
      /^YAML error/,
    );
    const old = judgeEncryptionConfig('kind: EncryptionConfig\napiVersion: v1\nresources: []\n', 'f').findings[0];
    expect(old?.ok).toBe(false);
    expect(old?.advice).toMatch(/before 1.13/);
  });

  it('reads base64 strictly', () => {
    expect(base64Length(KEY32)).toBe(32);
    expect(base64Length('abc')).toBeUndefined();
    expect(base64Length('')).toBeUndefined();
  });
});

const MANIFEST = `apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
  namespace: kube-system
spec:
  containers:
  - command:
    - kube-apiserver
    - --advertise-address=172.18.0.2
    - --encryption-provider-config=/etc/kubernetes/enc/enc.yaml
    name: kube-apiserver
    volumeMounts:
    - mountPath: /etc/kubernetes/pki
      name: k8s-certs
      readOnly: true
    - mountPath: /etc/kubernetes/enc
      name: enc
      readOnly: true
  volumes:
  - hostPath:
      path: /etc/kubernetes/pki
      type: DirectoryOrCreate
    name: k8s-certs
  - hostPath:
      path: /etc/kubernetes/enc
      type: Directory
    name: enc
`;

describe('apiserver manifest', () => {
  it('finds the flag in both spellings', () => {
    expect(flagValue(['a', '--encryption-provider-config=/x'])).toBe('/x');
    expect(flagValue(['--encryption-provider-config', '/y'])).toBe('/y');
    expect(flagValue(['--encryption-provider-config-automatic-reload=true'])).toBeUndefined();
  });

  it('maps the flag through the directory mount to the node path', () => {
    const m = readApiserverManifest(MANIFEST);
    if (!m.ok) throw new Error(m.problem);
    expect(m.flagPath).toBe('/etc/kubernetes/enc/enc.yaml');
    const r = resolveMount(m.pod, m.container, '/etc/kubernetes/enc/enc.yaml');
    expect(r).toMatchObject({ mountsFile: false, nodePath: '/etc/kubernetes/enc/enc.yaml' });
    expect(r.mount?.name).toBe('enc');
  });

  it('maps a file mount and a different node directory', () => {
    const text = MANIFEST.replace('mountPath: /etc/kubernetes/enc\n', 'mountPath: /etc/enc.yaml\n').replace(
      'path: /etc/kubernetes/enc\n      type: Directory',
      'path: /root/secret-config/encryption.yaml\n      type: File',
    );
    const m = readApiserverManifest(text);
    if (!m.ok) throw new Error(m.problem);
    const r = resolveMount(m.pod, m.container, '/etc/enc.yaml');
    expect(r).toMatchObject({ mountsFile: true, nodePath: '/root/secret-config/encryption.yaml' });
  });

  it('does not take /etc/kubernetes/encryption for a mount of /etc/kubernetes/enc', () => {
    const m = readApiserverManifest(MANIFEST);
    if (!m.ok) throw new Error(m.problem);
    expect(resolveMount(m.pod, m.container, '/etc/kubernetes/encryption/enc.yaml').mount).toBeUndefined();
  });
});
