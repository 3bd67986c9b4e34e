// The AppArmor checks against recordings (constructed from documented formats,
// see fixtures/README.md): correct answers in every accepted form pass, and
// each common wrong answer fails with the finding that names it.
import { describe, expect, it } from 'vitest';
import { findingsPass } from '../../server/checks/check.js';
import { RecordedClusterView } from '../../server/checks/recorded-cluster-view.js';
import type { Finding } from '../../server/protocol.js';
import { effectiveProfile, parseProfiles, podConfined, profileLoaded, unloadedProfileRefused } from './checks.js';

const load = (name: string) => RecordedClusterView.fromFile(new URL(`./fixtures/${name}`, import.meta.url));
const failed = (findings: Finding[]) => findings.filter((f) => !f.ok);

describe('parseProfiles', () => {
  it('reads names with spaces, slashes and child profiles', () => {
    const profiles = parseProfiles(
      '/usr/bin/man (enforce)\nnvidia_modprobe//kmod (complain)\n\nk8s-apparmor-example-deny-write (enforce)\n',
    );
    expect(profiles.get('/usr/bin/man')).toBe('enforce');
    expect(profiles.get('nvidia_modprobe//kmod')).toBe('complain');
    expect(profiles.get('k8s-apparmor-example-deny-write')).toBe('enforce');
  });
});

describe('profileLoaded', () => {
  it('passes when every node lists the profile in enforce mode', async () => {
    const findings = await profileLoaded(await load('profile-loaded.json'));
    expect(findingsPass(findings)).toBe(true);
    expect(findings).toHaveLength(4);
    expect(findings[0]?.where).toBe('control-plane:/sys/kernel/security/apparmor/profiles');
  });

  it('fails where apparmor_parser is missing (containerd would skip the profile)', async () => {
    const findings = failed(await profileLoaded(await load('no-parser.json')));
    expect(findings.map((f) => f.where)).toEqual([
      'control-plane: test -x /sbin/apparmor_parser',
      'worker: test -x /sbin/apparmor_parser',
    ]);
    expect(findings[0]?.advice).toMatch(/apt-get install -y apparmor && systemctl restart containerd/);
  });

  it('fails with the load command when the profile is not loaded', async () => {
    const findings = await profileLoaded(await load('profile-absent.json'));
    expect(findingsPass(findings)).toBe(false);
    expect(findings[0]?.found).toMatch(/not listed among 10 loaded profiles/);
    expect(findings[0]?.advice).toMatch(/apparmor_parser -r/);
  });

  it('names complain mode', async () => {
    const [first] = await profileLoaded(await load('profile-complain.json'));
    expect(first?.ok).toBe(false);
    expect(first?.found).toBe('k8s-apparmor-example-deny-write (complain)');
    expect(first?.advice).toMatch(/enforce mode/);
  });

  it('explains that the profile line, not the file name, is the name', async () => {
    const [first] = await profileLoaded(await load('profile-misnamed.json'));
    expect(first?.found).toMatch(/similar names loaded: deny-write/);
    expect(first?.advice).toMatch(/name on its "profile" line/);
  });

  it('blames the cluster config, not the learner, when securityfs is not mounted', async () => {
    const [first] = await profileLoaded(await load('no-securityfs.json'));
    expect(first?.ok).toBe(false);
    expect(first?.advice).toMatch(/extraMounts/);
  });

  it('says so when the host kernel has no AppArmor at all', async () => {
    const [first] = await profileLoaded(await load('no-apparmor-host.json'));
    expect(first?.found).toMatch(/parameters\/enabled is absent/);
    expect(first?.advice).toMatch(/needs a Linux host with AppArmor/);
  });
});

describe('podConfined', () => {
  it.each(['pod-container-field.json', 'pod-pod-field.json'])('passes with %s', async (fixture) => {
    const findings = await podConfined(await load(fixture));
    expect(failed(findings)).toEqual([]);
    expect(findings.map((f) => f.found)).toEqual(
      expect.arrayContaining([
        'k8s-apparmor-example-deny-write (enforce)',
        'touch: /tmp/hl-apparmor-probe: Permission denied',
      ]),
    );
    expect(findings.some((f) => f.advice !== undefined)).toBe(false);
  });

  it('accepts the deprecated annotation with a note that it is deprecated since 1.30', async () => {
    const findings = await podConfined(await load('pod-annotation.json'));
    expect(findingsPass(findings)).toBe(true);
    const note = findings.find((f) => f.advice?.includes('deprecated since Kubernetes 1.30'));
    expect(note?.ok).toBe(true);
    expect(note?.where).toBe('metadata.annotations["container.apparmor.security.beta.kubernetes.io/hello"]');
  });

  // Failed before: the lab said such an annotation is ignored, and the check then
  // only said "no such pod". The API server refuses the pod (seen on the cluster).
  it('without a pod, names what the API server refuses (annotation on a container the pod lacks)', async () => {
    const [only] = await podConfined(await load('profile-loaded.json'));
    expect(only).toMatchObject({ ok: false, found: 'no such pod', code: 'NO_POD' });
    expect(only?.advice).toContain('Invalid value: "<name>": container not found');
    expect(only?.advice).toContain('must be hello');
  });

  // Failed before: containerd's refusal ("apparmor is not supported", containerd 1.6
  // and 2.x alike, e.g. kindest/node without apparmor_parser) got "wait until Running".
  it('names containerd without AppArmor support, and does not call it unconfined', async () => {
    const findings = await podConfined(await load('pod-no-apparmor-support.json'));
    const refusal = failed(findings).find((f) => f.code === 'CONTAINERD_NO_APPARMOR');
    expect(refusal?.found).toMatch(/^CreateContainerError: .*apparmor is not supported/);
    expect(refusal?.advice).toContain(
      'refuses every container that asks for a profile (it does not run it unconfined)',
    );
    expect(refusal?.advice).toContain('apt-get install -y apparmor && systemctl restart containerd');
  });

  it('reports CreateContainerError with the runtime message when the profile is not loaded', async () => {
    const view = await load('pod-profile-not-loaded.json');
    const findings = await podConfined(view);
    const refusal = failed(findings)[0];
    expect(refusal?.found).toMatch(
      /^CreateContainerError: .*apparmor profile not found k8s-apparmor-example-deny-write/,
    );
    expect(refusal?.advice).toMatch(/not loaded in the kernel of node hardening-lab-worker/);
    // No exec into a container that never started.
    expect(view.calls.some((c) => c.startsWith('execInPod'))).toBe(false);
  });

  // Failed before: events are listed by pod name and outlive the pod. This
  // recording still lists the kubelet's rejection of an earlier hello-apparmor;
  // a new pod that is only being created was blamed on it.
  it('ignores events of an earlier pod with the same name', async () => {
    const view = (await load('pod-no-apparmor-support.json')).with((r) => {
      const pod = r.objects.find((o) => o.kind === 'Pod') as unknown as {
        metadata: { uid: string };
        status: { containerStatuses: { state: unknown }[] };
      };
      const status = pod.status.containerStatuses[0];
      if (status) status.state = { waiting: { reason: 'ContainerCreating' } };
      r.objects = r.objects.filter(
        (o) =>
          o.kind !== 'Event' ||
          (o as unknown as { involvedObject: { uid: string } }).involvedObject.uid !== pod.metadata.uid,
      );
      return r;
    });
    const [, state] = await podConfined(view);
    expect(state).toMatchObject({ ok: false, code: 'NOT_RUNNING_YET', found: 'ContainerCreating' });
  });

  it('does not trust Running: unconfined in /proc/1/attr/current fails', async () => {
    const view = await load('pod-unconfined.json');
    const findings = await podConfined(view);
    expect(findings[0]).toMatchObject({ ok: false, code: 'NOT_LOCALHOST', found: 'type Unconfined' });
    const attr = findings.find((f) => f.where?.includes('/proc/1/attr/current'));
    expect(attr).toMatchObject({ ok: false, found: 'unconfined', code: 'RUNS_UNCONFINED' });
    expect(attr?.advice).toContain('containerd never does that to a container that asks for a profile');
    expect(attr?.advice).not.toMatch(/silently|without an error/);
    // The successful probe write is removed again.
    expect(view.calls).toContain('execInPod apparmor-lab/hello-apparmor ["rm","-f","/tmp/hl-apparmor-probe"]');
  });

  it('names the runtime default profile when the pod has no setting', async () => {
    const findings = await podConfined(await load('pod-runtime-default.json'));
    const [state, attr] = [
      findings.find((f) => f.expected.includes('asks for AppArmor')),
      findings.find((f) => f.where?.includes('attr/current')),
    ];
    expect(state?.ok).toBe(false);
    expect(attr).toMatchObject({ ok: false, found: 'cri-containerd.apparmor.d (enforce)' });
    expect(attr?.advice).toMatch(/delete the pod/);
  });

  it('fails when the pod does not exist', async () => {
    const findings = await podConfined(await load('profile-loaded.json'));
    expect(findings).toEqual([expect.objectContaining({ ok: false, found: 'no such pod' })]);
  });

  it('rejects RuntimeDefault and a misspelt profile name', async () => {
    const view = await load('pod-container-field.json');
    const withProfile = (appArmorProfile: { type: string; localhostProfile?: string }) =>
      view.with((r) => {
        const pod = r.objects[0] as unknown as { spec: { containers: { securityContext?: unknown }[] } };
        const container = pod.spec.containers[0];
        if (container) container.securityContext = { appArmorProfile };
        return r;
      });
    const runtimeDefault = await podConfined(withProfile({ type: 'RuntimeDefault' }));
    expect(failed(runtimeDefault)[0]?.advice).toMatch(/containerd's own profile/);
    const typo = await podConfined(
      withProfile({ type: 'Localhost', localhostProfile: 'k8s-apparmor-example-deny-writes' }),
    );
    expect(failed(typo)[0]?.found).toBe('type Localhost, localhostProfile k8s-apparmor-example-deny-writes');
  });

  it('does not mistake readOnlyRootFilesystem for AppArmor', async () => {
    const view = (await load('pod-container-field.json')).with((r) => {
      const touch = r.execs.find((e) => e.argv[0] === 'touch');
      if (touch)
        touch.result = { exitCode: 1, stdout: '', stderr: 'touch: /tmp/hl-apparmor-probe: Read-only file system\n' };
      return r;
    });
    const write = (await podConfined(view)).find((f) => f.expected.startsWith('touch'));
    expect(write?.ok).toBe(false);
    expect(write?.advice).toMatch(/readOnlyRootFilesystem/);
  });
});

describe('effectiveProfile', () => {
  it('prefers the container field over the pod field and the annotation', async () => {
    const view = await load('pod-annotation.json');
    const pod = await view.getPod('apparmor-lab', 'hello-apparmor');
    expect(pod && effectiveProfile(pod, 'hello')).toMatchObject({
      source: 'container field',
      localhostProfile: 'k8s-apparmor-example-deny-write',
    });
  });
});

describe('unloadedProfileRefused', () => {
  it('passes when the runtime refuses a pod whose profile is not loaded', async () => {
    const findings = await unloadedProfileRefused(await load('unloaded-refused.json'));
    expect(failed(findings)).toEqual([]);
    expect(findings.at(-1)?.found).toMatch(
      /^CreateContainerError: failed to get container spec opts: .*apparmor profile not found k8s-apparmor-example-allow-write/,
    );
  });

  it('a running container had its profile when it was created: says so, not "skipped silently"', async () => {
    const findings = await unloadedProfileRefused(await load('unloaded-was-loaded.json'));
    expect(failed(findings)[0]).toMatchObject({ code: 'PROFILE_WAS_LOADED' });
    expect(failed(findings)[0]?.advice).not.toMatch(/silently/);
  });

  it("does not count containerd's refusal of every profile as the lesson", async () => {
    const [bad, ...rest] = failed(await unloadedProfileRefused(await load('unloaded-no-apparmor-support.json')));
    expect(rest).toEqual([]);
    expect(bad).toMatchObject({ code: 'CONTAINERD_NO_APPARMOR' });
    expect(bad?.found).toMatch(/^CreateContainerError: .*apparmor is not supported/);
    expect(bad?.advice).toContain('says nothing about the missing profile');
  });

  it('fails when the named profile is in fact loaded', async () => {
    const view = (await load('unloaded-refused.json')).with((r) => {
      for (const key of Object.keys(r.nodeFiles)) r.nodeFiles[key] += 'k8s-apparmor-example-allow-write (enforce)\n';
      return r;
    });
    const findings = await unloadedProfileRefused(view);
    expect(failed(findings)[0]).toMatchObject({
      found: 'k8s-apparmor-example-allow-write is loaded',
      code: 'PROFILE_IS_LOADED',
    });
  });

  it('fails before the pod exists', async () => {
    const findings = await unloadedProfileRefused(await load('profile-loaded.json'));
    expect(findings[0]).toMatchObject({ ok: false, found: 'no such pod' });
  });
});

// Recorded for real on a kind cluster whose host kernel has no AppArmor: the
// kubelet rejects such pods outright (phase Failed, reason AppArmor).
describe('recorded on a host without AppArmor', () => {
  it('step 1 says the host cannot run the lab', async () => {
    const findings = failed(await profileLoaded(await load('recorded-no-apparmor-host-load-profile.json')));
    expect(findings.map((f) => f.found)).toEqual([
      '/sys/kernel/security/apparmor/profiles does not exist in node control-plane; /sys/module/apparmor/parameters/enabled is absent',
      '/sys/kernel/security/apparmor/profiles does not exist in node worker; /sys/module/apparmor/parameters/enabled is absent',
    ]);
  });

  it.each([
    ['recorded-no-apparmor-host-confine-pod.json', podConfined],
    ['recorded-no-apparmor-host-unloaded-profile.json', unloadedProfileRefused],
  ] as const)('%s: the kubelet rejection is named, not mistaken for the lesson', async (fixture, check) => {
    const findings = failed(await check(await load(fixture)));
    expect(findings).toHaveLength(1);
    expect(findings[0]?.found).toMatch(/Cannot enforce AppArmor: AppArmor is not enabled on the host/);
    expect(findings[0]?.advice).toMatch(/host kernel does not run AppArmor/);
    expect(findings[0]?.code).toBe('KUBELET_NO_APPARMOR');
  });
});
