// The seccomp rules the checks rely on, without any recording: which field
// wins, and how each wrong localhostProfile is explained.
import type { V1Pod, V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  effectiveProfile,
  judgeProfile,
  localhostPathAdvice,
  parseCrictlInspect,
  runtimeContainerId,
  seccompMode,
} from './seccomp-facts.js';

function pod(spec: {
  pod?: V1PodSecurityContext;
  container?: V1SecurityContext;
  annotations?: Record<string, string>;
}): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'seccomp', ...(spec.annotations ? { annotations: spec.annotations } : {}) },
    spec: {
      ...(spec.pod ? { securityContext: spec.pod } : {}),
      containers: [
        { name: 'app', image: 'busybox:1.36', ...(spec.container ? { securityContext: spec.container } : {}) },
      ],
    },
  };
}

const first = (p: V1Pod) => {
  const c = p.spec?.containers[0];
  if (!c) throw new Error('no container');
  return c;
};

describe('effectiveProfile', () => {
  it('takes the container field over the pod field', () => {
    const p = pod({
      pod: { seccompProfile: { type: 'RuntimeDefault' } },
      container: { seccompProfile: { type: 'Unconfined' } },
    });
    const e = effectiveProfile(p, first(p));
    expect(e.profile?.type).toBe('Unconfined');
    expect(e.source).toBe('spec.containers[0].securityContext.seccompProfile');
    expect(e.overridden?.type).toBe('RuntimeDefault');
  });

  it('falls back to the pod field', () => {
    const p = pod({ pod: { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/audit.json' } } });
    expect(effectiveProfile(p, first(p)).source).toBe('spec.securityContext.seccompProfile');
  });
});

describe('judgeProfile', () => {
  const audit = { type: 'Localhost', file: 'audit.json' } as const;

  it('accepts the profile at either level', () => {
    const atPod = pod({ pod: { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/audit.json' } } });
    const atContainer = pod({
      container: { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/audit.json' } },
    });
    expect(judgeProfile(atPod, first(atPod), audit)).toEqual({ ok: true });
    expect(judgeProfile(atContainer, first(atContainer), audit)).toEqual({ ok: true });
  });

  // Failed before: './profiles/audit.json' was judged as another file, looked up
  // on the node and passed only with advice about "your copy". The kubelet
  // joins the path onto its seccomp root (filepath.Join cleans it), so these
  // spellings open the lab's own file.
  it('accepts spellings of the same path that the kubelet cleans to it', () => {
    for (const localhostProfile of ['./profiles/audit.json', 'profiles//audit.json', 'profiles/./audit.json']) {
      const p = pod({ container: { seccompProfile: { type: 'Localhost', localhostProfile } } });
      expect(judgeProfile(p, first(p), audit), localhostProfile).toEqual({ ok: true });
    }
    const other = pod({
      pod: { seccompProfile: { type: 'Localhost', localhostProfile: './profiles/violation.json' } },
    });
    expect(judgeProfile(other, first(other), audit)).toMatchObject({ ok: false, code: 'OTHER_LAB_PROFILE' });
  });

  it('names a container-level Unconfined that overrides the pod', () => {
    const p = pod({
      pod: { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/audit.json' } },
      container: { seccompProfile: { type: 'Unconfined' } },
    });
    const verdict = judgeProfile(p, first(p), audit);
    expect(verdict.ok).toBe(false);
    if (verdict.ok === false) expect(verdict.advice).toMatch(/container-level seccompProfile always overrides/);
  });

  it('names the removed annotation', () => {
    const p = pod({ annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'localhost/profiles/audit.json' } });
    const verdict = judgeProfile(p, first(p), audit);
    expect(verdict.ok).toBe(false);
    if (verdict.ok === false) expect(verdict.advice).toMatch(/1\.27/);
  });

  it('leaves a missing field undecided for RuntimeDefault (seccompDefault may apply)', () => {
    const p = pod({});
    expect(judgeProfile(p, first(p), { type: 'RuntimeDefault' }).ok).toBe('unknown');
    expect(judgeProfile(p, first(p), audit).ok).toBe(false);
  });
});

describe('localhostPathAdvice', () => {
  it('explains each wrong path by the file the kubelet would open', () => {
    expect(localhostPathAdvice('/var/lib/kubelet/seccomp/profiles/audit.json', 'audit.json')).toMatch(
      /rejects an absolute path/,
    );
    // It never claims the file is absent: only a look on the node can say (the checks do).
    expect(localhostPathAdvice('audit.json', 'audit.json')).toMatch(
      /"audit\.json" means \/var\/lib\/kubelet\/seccomp\/audit\.json; the lab's profiles are in the profiles\/ subdirectory/,
    );
    expect(localhostPathAdvice('audit.json', 'audit.json')).not.toMatch(/does not exist/);
    expect(localhostPathAdvice('var/lib/kubelet/seccomp/profiles/audit.json', 'audit.json')).toMatch(
      /already relative/,
    );
    expect(localhostPathAdvice('profiles/violation.json', 'audit.json')).toMatch(/That is the violation\.json profile/);
    expect(localhostPathAdvice('profiles/audit.yaml', 'audit.json')).toMatch(
      /would open \/var\/lib\/kubelet\/seccomp\/profiles\/audit\.yaml/,
    );
  });
});

describe('node readings', () => {
  it('reads the Seccomp mode from /proc/<pid>/status', () => {
    expect(seccompMode('Name:\tsleep\nSeccomp:\t2\nSeccomp_filters:\t1\n')).toBe(2);
    expect(seccompMode('Name:\tsleep\nSeccomp:\t0\n')).toBe(0);
    expect(seccompMode('Name:\tsleep\n')).toBeUndefined();
  });

  it('strips the runtime prefix of a container ID', () => {
    expect(runtimeContainerId('containerd://abc123')).toBe('abc123');
    expect(runtimeContainerId(undefined)).toBeUndefined();
  });

  it('reads a crictl inspect without a seccomp section as unconfined', () => {
    const parsed = parseCrictlInspect(
      JSON.stringify({ status: { state: 'CONTAINER_RUNNING' }, info: { pid: 42, runtimeSpec: { linux: {} } } }),
    );
    expect(parsed).toMatchObject({ pid: 42, hasSeccomp: false, defaultAction: undefined });
  });

  it('gives undefined, not an exception, for empty or non-JSON crictl output', () => {
    expect(parseCrictlInspect('')).toBeUndefined();
    expect(parseCrictlInspect('{"status": {"state": ')).toBeUndefined();
    expect(parseCrictlInspect('"a string"')).toBeUndefined();
  });
});
