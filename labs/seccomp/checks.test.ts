// The seccomp checks against recordings from a real kind cluster (see
// fixtures/README.md): every accepted form of a correct answer passes, and each
// common wrong answer fails with the finding that names it.
import { describe, expect, it } from 'vitest';
import { CheckRunner } from '../../server/checks/check-runner.js';
import { findingsPass } from '../../server/checks/check.js';
import { RecordedClusterView } from '../../server/checks/recorded-cluster-view.js';
import type { Finding } from '../../server/protocol.js';
import { auditProfile, fineGrainedProfile, privilegedDropped, runtimeDefault, violationProfile } from './checks.js';

const fixture = (name: string) => RecordedClusterView.fromFile(new URL(`./fixtures/${name}.json`, import.meta.url));
const failed = (findings: Finding[]) => findings.filter((f) => !f.ok);
const byExpected = (findings: Finding[], start: string) => findings.find((f) => f.expected.startsWith(start));

describe('step 1: runtimeDefault', () => {
  it('passes the reference answer (pod level) on field, node and behaviour', async () => {
    const view = await fixture('rd-pod-level');
    const findings = await runtimeDefault(view);
    expect(failed(findings)).toEqual([]);
    expect(findings.map((f) => f.expected)).toEqual([
      'seccompProfile {type: RuntimeDefault} on the pod or on container app',
      'container app running and ready',
      'Seccomp: 2 (filter mode) for the container process',
      "OCI spec seccomp: defaultAction SCMP_ACT_ERRNO with the runtime's allow list",
      'unshare -U (new user namespace) fails with "Operation not permitted"',
    ]);
    expect(byExpected(findings, 'unshare')?.found).toBe('unshare: unshare(0x10000000): Operation not permitted');
    // The PID comes from crictl inspect on the node the pod runs on (the worker).
    expect(view.calls.some((c) => c.startsWith('execOnNode worker ["crictl","inspect",'))).toBe(true);
    expect(view.calls.some((c) => /^readNodeFile worker:\/proc\/\d+\/status$/.test(c))).toBe(true);
  });

  it('accepts the field at container level, and says where it found it', async () => {
    const findings = await runtimeDefault(await fixture('rd-container-level'));
    expect(failed(findings)).toEqual([]);
    expect(findings[0]?.found).toBe('{type: RuntimeDefault} at spec.containers[0].securityContext.seccompProfile');
  });

  it("accepts no field when the kubelet's seccompDefault applied RuntimeDefault", async () => {
    const findings = await runtimeDefault(await fixture('rd-seccomp-default'));
    expect(failed(findings)).toEqual([]);
    expect(findings.some((f) => f.found.includes('seccompDefault: true'))).toBe(true);
  });

  it('fails a pod without the field on a kubelet without seccompDefault, on every piece of evidence', async () => {
    const bad = failed(await runtimeDefault(await fixture('rd-no-field')));
    expect(bad.map((f) => f.found)).toEqual([
      'no seccompProfile field, and this kubelet does not default to RuntimeDefault',
      'Seccomp: 0',
      'no seccomp section in the OCI spec: the container runs unconfined',
      'unshare succeeded: the container can create user namespaces',
    ]);
    expect(bad[0]?.advice).toContain('{type: RuntimeDefault}');
  });

  it('names a container-level Unconfined that overrides the pod-level RuntimeDefault', async () => {
    const [field, ...rest] = failed(await runtimeDefault(await fixture('rd-container-unconfined')));
    expect(field?.found).toBe('{type: Unconfined} at spec.containers[0].securityContext.seccompProfile');
    expect(field?.advice).toContain('The pod-level {type: RuntimeDefault} does not count');
    expect(rest.find((f) => f.found === 'Seccomp: 0')?.advice).toContain('Its effective seccompProfile is Unconfined');
  });

  it('fails with an error, not a verdict, when the API server is down', async () => {
    const view = (await fixture('rd-pod-level')).with((r) => ({ ...r, unreachable: true }));
    const result = await new CheckRunner({ view: () => view }).run({ name: 'runtimeDefault', check: runtimeDefault });
    expect(result.ok).toBe(false);
    expect(result.findings).toEqual([]);
    expect(result.error).toMatch(/This is not a wrong answer/);
  });
});

describe('step 2: auditProfile', () => {
  it('passes profiles/audit.json: SCMP_ACT_LOG in the spec, Seccomp: 2', async () => {
    const findings = await auditProfile(await fixture('audit-correct'));
    expect(failed(findings)).toEqual([]);
    expect(byExpected(findings, 'OCI spec')?.found).toBe('defaultAction SCMP_ACT_LOG, 0 syscall names in rules');
  });

  it('names the removed annotation, and shows the pod runs unconfined', async () => {
    const bad = failed(await auditProfile(await fixture('audit-annotation-only')));
    expect(bad[0]?.found).toBe(
      'no seccompProfile field, only the annotation seccomp.security.alpha.kubernetes.io/pod: localhost/profiles/audit.json',
    );
    expect(bad[0]?.advice).toContain('stopped working in Kubernetes 1.27');
    expect(bad.map((f) => f.found)).toContain('Seccomp: 0');
    expect(bad.find((f) => f.found === 'Seccomp: 0')?.advice).toContain('removed annotation');
  });

  it('names the missing profiles/ prefix after looking on the node, with the runtime error as evidence', async () => {
    const view = await fixture('audit-missing-prefix');
    const [field, state] = failed(await auditProfile(view));
    expect(view.calls).toContain('readNodeFile worker:/var/lib/kubelet/seccomp/audit.json');
    expect(field).toMatchObject({
      code: 'PROFILE_FILE_MISSING',
      where: '/var/lib/kubelet/seccomp/audit.json on node worker',
    });
    expect(field?.found).toContain('/var/lib/kubelet/seccomp/audit.json does not exist on node worker');
    expect(field?.advice).toContain('"audit.json" means /var/lib/kubelet/seccomp/audit.json');
    expect(state?.code).toBe('PROFILE_FILE_MISSING');
    expect(state?.found).toMatch(
      /^CreateContainerError: .*cannot load seccomp profile "\/var\/lib\/kubelet\/seccomp\/audit\.json"/,
    );
    expect(state?.advice).toContain('profiles/audit.json');
  });

  // Failed before: the check said the file "does not exist" without looking,
  // although the learner had copied the profile there and the pod ran under it.
  it('accepts localhostProfile audit.json when the node really has that file, a copy of profiles/audit.json', async () => {
    const view = await fixture('audit-copied-to-root');
    const findings = await auditProfile(view);
    expect(failed(findings)).toEqual([]);
    expect(findings[0]?.found).toBe(
      '{type: Localhost, localhostProfile: audit.json} at spec.securityContext.seccompProfile: /var/lib/kubelet/seccomp/audit.json on node worker is the same profile as profiles/audit.json',
    );
    expect(findings[0]?.advice).toContain('only on nodes where you put that copy (worker)');
  });

  it('names a file at the path that holds another profile', async () => {
    const view = (await fixture('audit-copied-to-root')).with((r) => ({
      ...r,
      nodeFiles: {
        ...r.nodeFiles,
        'worker:/var/lib/kubelet/seccomp/audit.json':
          r.nodeFiles['worker:/var/lib/kubelet/seccomp/profiles/violation.json'] ?? '',
      },
    }));
    const [field] = failed(await auditProfile(view));
    expect(field).toMatchObject({ code: 'PROFILE_FILE_DIFFERENT' });
    expect(field?.found).toContain('is the same profile as profiles/violation.json');
  });

  it('explains the refused absolute path when there is no pod', async () => {
    const [only] = await auditProfile(await fixture('audit-absolute-path'));
    expect(only).toMatchObject({ ok: false, found: 'no such pod' });
    expect(only?.advice).toContain('must be a relative path');
    expect(only?.advice).toContain('profiles/audit.json');
  });
});

describe('step 3: violationProfile', () => {
  it('passes a container that never starts under profiles/violation.json', async () => {
    const findings = await violationProfile(await fixture('violation-correct'));
    expect(failed(findings)).toEqual([]);
    expect(byExpected(findings, 'container app never starts')?.found).toMatch(
      /last attempt: StartError \(exit code 128\)/,
    );
    expect(byExpected(findings, 'OCI spec')?.found).toBe('defaultAction SCMP_ACT_ERRNO, 0 syscall names in rules');
  });

  it('does not count a pod that fails because the profile file is missing', async () => {
    const bad = failed(await violationProfile(await fixture('violation-missing-prefix')));
    expect(bad).toHaveLength(2);
    expect(bad[0]?.advice).toContain('profiles/ subdirectory');
    expect(bad[0]?.code).toBe('PROFILE_FILE_MISSING');
    expect(bad[1]?.advice).toContain('found no profile file at that path on the node, not because of the profile');
  });

  it('fails a pod that runs', async () => {
    // The audit pod, renamed: a running container cannot be under violation.json.
    const view = (await fixture('audit-correct')).with((r) => ({
      ...r,
      objects: r.objects.map((o) => ({ ...o, metadata: { ...o.metadata, name: 'violation-pod' } })),
    }));
    const bad = failed(await violationProfile(view));
    expect(bad.map((f) => f.expected)).toContain(
      'container app never starts (the runtime cannot even exec the entrypoint)',
    );
    expect(bad.find((f) => f.expected.startsWith('container'))?.found).toBe('Running, ready');
  });
});

describe('step 4: fineGrainedProfile', () => {
  it('passes the reference answer (container level): touch works, chmod is denied', async () => {
    const findings = await fineGrainedProfile(await fixture('fine-grained-correct'));
    expect(failed(findings)).toEqual([]);
    expect(byExpected(findings, 'OCI spec')?.found).toBe(
      'defaultAction SCMP_ACT_ERRNO, 220 syscall names in rules, denied: chmod, fchmod, fchmodat, fchmodat2',
    );
    expect(byExpected(findings, 'chmod')?.found).toBe('chmod: /tmp/.hl-seccomp-check: Operation not permitted');
  });

  it('accepts the profile at pod level, with nginx (GNU chmod) instead of busybox', async () => {
    const findings = await fineGrainedProfile(await fixture('fine-grained-pod-level'));
    expect(failed(findings)).toEqual([]);
    expect(byExpected(findings, 'chmod')?.found).toBe(
      "chmod: changing permissions of '/tmp/.hl-seccomp-check': Operation not permitted",
    );
  });

  // Failed before: "./profiles/fine-grained.json" was taken for another file and
  // looked up on the node (here: a read the recording never made, so an error).
  // The kubelet cleans the joined path: it is the lab's file, judged like it.
  it('accepts ./profiles/fine-grained.json, the same file to the kubelet', async () => {
    const view = (await fixture('fine-grained-correct')).with((r) => {
      const text = JSON.stringify(r.objects).replaceAll(
        '"profiles/fine-grained.json"',
        '"./profiles/fine-grained.json"',
      );
      r.objects = JSON.parse(text) as typeof r.objects;
      return r;
    });
    const findings = await fineGrainedProfile(view);
    expect(failed(findings)).toEqual([]);
    expect(findings[0]?.found).toBe(
      '{type: Localhost, localhostProfile: ./profiles/fine-grained.json} at spec.containers[0].securityContext.seccompProfile',
    );
    expect(findings.some((f) => f.advice !== undefined)).toBe(false);
  });

  it('fails RuntimeDefault: another profile in the spec, and chmod allowed', async () => {
    const bad = failed(await fineGrainedProfile(await fixture('fine-grained-runtime-default')));
    expect(bad.map((f) => f.expected)).toEqual([
      'seccompProfile {type: Localhost, localhostProfile: profiles/fine-grained.json} on the pod or on container app',
      'OCI spec seccomp: defaultAction SCMP_ACT_ERRNO and a rule denying chmod (profiles/fine-grained.json)',
      'chmod on the container\'s own file fails with "Operation not permitted"',
    ]);
    expect(bad[0]?.advice).toContain("RuntimeDefault is the runtime's built-in profile");
    expect(bad[2]?.found).toBe('chmod succeeded');
  });

  it('names a container-level Unconfined that overrides the pod-level profile', async () => {
    const [field] = failed(await fineGrainedProfile(await fixture('fine-grained-container-unconfined')));
    expect(field?.advice).toContain('a container-level seccompProfile always overrides it');
  });

  it('names privileged: the field is right, the container runs unconfined', async () => {
    const findings = await fineGrainedProfile(await fixture('fine-grained-privileged'));
    expect(byExpected(findings, 'seccompProfile')?.ok).toBe(true);
    const bad = failed(findings);
    expect(bad[0]).toMatchObject({
      expected: 'container app is not privileged',
      found: 'securityContext.privileged: true',
    });
    expect(bad.find((f) => f.found === 'Seccomp: 0')?.advice).toContain('The container is privileged');
    expect(bad.map((f) => f.found)).toContain('chmod succeeded');
  });
});

describe('step 5: privilegedDropped', () => {
  it('fails the legacy pod as given, naming privileged on every piece of evidence', async () => {
    const bad = failed(await privilegedDropped(await fixture('legacy-privileged')));
    expect(bad.map((f) => f.found)).toEqual([
      'securityContext.privileged: true',
      'Seccomp: 0',
      'no seccomp section in the OCI spec: the container runs unconfined',
      'unshare succeeded: the container can create user namespaces',
    ]);
    for (const finding of bad) expect(finding.advice).toMatch(/privileged/);
  });

  it('passes once privileged is gone', async () => {
    expect(findingsPass(await privilegedDropped(await fixture('legacy-fixed')))).toBe(true);
  });
});
