import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_KIND_CONFIG, PROJECT_ROOT } from '../config.js';
import { adaptKindConfig, prepareKindConfig, SECURITYFS } from './kind-config.js';

interface Mount {
  hostPath: string;
  containerPath: string;
}
interface Config {
  nodes: { role: string; extraMounts?: Mount[] }[];
}

const product = fs.readFileSync(DEFAULT_KIND_CONFIG, 'utf8');

describe('kind config adaptation', () => {
  it('the product config has one control plane and one worker', () => {
    const config = parse(product) as Config;
    expect(config.nodes.map((n) => n.role)).toEqual(['control-plane', 'worker']);
  });

  it('keeps the securityfs mount where the host has securityfs', () => {
    const { text, changes } = adaptKindConfig(product, { securityfsPresent: true });
    const config = parse(text) as Config;
    expect(config.nodes.every((n) => n.extraMounts?.some((m) => m.hostPath === SECURITYFS))).toBe(true);
    expect(changes).toEqual([]);
  });

  it('drops only the securityfs mount where the host has none, and says so', () => {
    const { text, changes } = adaptKindConfig(product, { securityfsPresent: false });
    const config = parse(text) as Config;
    expect(config.nodes.some((n) => n.extraMounts?.some((m) => m.hostPath === SECURITYFS))).toBe(false);
    expect(config.nodes.every((n) => n.extraMounts?.some((m) => m.containerPath === '/var/lib/kubelet/seccomp/profiles'))).toBe(true);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toContain('AppArmor');
  });

  it('makes relative hostPaths absolute so kind can run from any directory', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hl-kindcfg-')), 'cluster.yaml');
    prepareKindConfig(DEFAULT_KIND_CONFIG, out, { securityfsPresent: true });
    const config = parse(fs.readFileSync(out, 'utf8')) as Config;
    const seccomp = config.nodes[0]?.extraMounts?.find((m) => m.containerPath === '/var/lib/kubelet/seccomp/profiles');
    expect(seccomp?.hostPath).toBe(path.join(PROJECT_ROOT, 'kind-config', 'seccomp', 'profiles'));
    expect(fs.existsSync(seccomp?.hostPath ?? '')).toBe(true);
  });
});
