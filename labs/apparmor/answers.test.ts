// The AppArmor wrong-answer catalogue (answers.yaml) judged against
// recordings. AppArmor is a property of the host kernel: on a host without it
// test-lab skips this lab (SKIPPED, with the reason) and the cluster tier
// skips its tests, so this file is where every answer is judged on every
// machine. Each answer is mapped to the cluster state its script leads to;
// `ran` says whether that state was seen on a real cluster (see
// fixtures/README.md for which files were recorded and which were built by
// hand from documented formats).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { findingsPass } from '../../server/checks/check.js';
import { RecordedClusterView } from '../../server/checks/recorded-cluster-view.js';
import { loadLab } from '../../server/labs/lab-loader.js';
import type { Finding } from '../../server/protocol.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const load = (name: string) => RecordedClusterView.fromFile(path.join(HERE, 'fixtures', name));

type Recording = Parameters<Parameters<RecordedClusterView['with']>[0]>[0];

/** The pod of a recording, typed (recordings keep objects as the API returned them). */
function podOf(recording: Recording, name: string): V1Pod {
  const pod = recording.objects.find((o) => o.kind === 'Pod' && o.metadata.name === name);
  if (!pod) throw new Error(`the recording has no pod ${name}`);
  return pod as unknown as V1Pod;
}

/** Replaces a text in every object of a recording (pod fields and event messages alike). */
function renameInObjects(recording: Recording, from: string, to: string): Recording {
  recording.objects = JSON.parse(JSON.stringify(recording.objects).replaceAll(from, to)) as Recording['objects'];
  return recording;
}

/** The container as the kubelet reports one that was created and runs. */
function markRunning(pod: V1Pod): void {
  const status = pod.status?.containerStatuses?.[0];
  if (!status) throw new Error('the recording has no container status');
  status.state = { running: { startedAt: new Date('2026-11-27T02:31:07Z') } };
  status.ready = true;
  status.started = true;
}

/** Where an answer's state comes from, and whether it was seen on a cluster. */
interface AnswerState {
  view: () => Promise<RecordedClusterView>;
  ran: string;
}

const BUILT = 'not run: built from a hand-made recording (this host has no AppArmor)';
/**
 * Run on a kind cluster (offline image, containerd 1.6.20) on a host without
 * AppArmor, 2026-12-04: the API server's answer and the check's cause were
 * seen there; what the runtime does with an accepted pod was not (the kubelet
 * rejects every pod that asks for a profile on such a host).
 */
const SEEN = (what: string) => `run on a kind cluster without AppArmor: ${what}`;

const STATES: Record<string, AnswerState> = {
  'answers/load-profile/complain-mode.sh': { view: () => load('profile-complain.json'), ran: BUILT },
  'answers/load-profile/misnamed-profile-line.sh': { view: () => load('profile-misnamed.json'), ran: BUILT },
  'answers/load-profile/file-only.sh': { view: () => load('profile-absent.json'), ran: BUILT },
  'answers/load-profile/from-worker-stdin.sh': { view: () => load('profile-loaded.json'), ran: BUILT },

  // RuntimeDefault is containerd's own profile: the same running state as a pod
  // without any setting, with the field set.
  'answers/confine-pod/runtime-default.sh': {
    view: async () =>
      (await load('pod-runtime-default.json')).with((r) => {
        const container = podOf(r, 'hello-apparmor').spec?.containers[0];
        if (container) container.securityContext = { appArmorProfile: { type: 'RuntimeDefault' } };
        return r;
      }),
    ran: SEEN('accepted by the API server, the check named RUNTIME_DEFAULT'),
  },
  'answers/confine-pod/unconfined.sh': {
    view: () => load('pod-unconfined.json'),
    ran: SEEN('the pod ran, the check named NOT_LOCALHOST and the write that succeeded'),
  },
  // The first pod (no setting) keeps running; the API server refuses the apply over it.
  'answers/confine-pod/applied-over-running-pod.sh': {
    view: () => load('pod-runtime-default.json'),
    ran: SEEN('"pod updates may not change fields", the check named NO_APPARMOR_SETTING'),
  },
  // The API server refuses the pod, so after step 1 there is none.
  'answers/confine-pod/annotation-names-pod.sh': {
    view: () => load('profile-loaded.json'),
    ran: SEEN('refused by the API server ("container not found"), the check named NO_POD'),
  },
  'answers/confine-pod/file-path-as-name.sh': {
    view: async () =>
      (await load('pod-profile-not-loaded.json')).with((r) =>
        renameInObjects(r, 'k8s-apparmor-example-deny-write', '/etc/apparmor.d/k8s-apparmor-example-deny-write'),
      ),
    ran: SEEN('accepted by the API server, the check named WRONG_PROFILE_NAME'),
  },
  'answers/confine-pod/pod-level.sh': { view: () => load('pod-pod-field.json'), ran: BUILT },
  'answers/confine-pod/annotation.sh': { view: () => load('pod-annotation.json'), ran: BUILT },

  'answers/unloaded-profile/names-loaded-profile.sh': {
    view: async () =>
      (await load('unloaded-refused.json')).with((r) => {
        renameInObjects(r, 'k8s-apparmor-example-allow-write', 'k8s-apparmor-example-deny-write');
        markRunning(podOf(r, 'hello-apparmor-2'));
        r.objects = r.objects.filter((o) => o.kind !== 'Event');
        return r;
      }),
    ran: BUILT,
  },
  'answers/unloaded-profile/unloaded-after-start.sh': { view: () => load('unloaded-was-loaded.json'), ran: BUILT },
  'answers/unloaded-profile/runtime-default.sh': {
    view: async () =>
      (await load('unloaded-refused.json')).with((r) => {
        const pod = podOf(r, 'hello-apparmor-2');
        const container = pod.spec?.containers[0];
        if (container) container.securityContext = { appArmorProfile: { type: 'RuntimeDefault' } };
        markRunning(pod);
        r.objects = r.objects.filter((o) => o.kind !== 'Event');
        return r;
      }),
    ran: SEEN('accepted by the API server, the check named NOT_LOCALHOST'),
  },
  'answers/unloaded-profile/annotation-names-pod.sh': {
    view: () => load('profile-loaded.json'),
    ran: SEEN('refused by the API server ("container not found"), the check named NO_POD'),
  },
  'answers/unloaded-profile/pod-level-other-name.sh': {
    view: async () =>
      (await load('unloaded-refused.json')).with((r) => {
        renameInObjects(r, 'k8s-apparmor-example-allow-write', 'my-missing-profile');
        const pod = podOf(r, 'hello-apparmor-2');
        const container = pod.spec?.containers[0];
        if (container) delete container.securityContext;
        if (pod.spec)
          pod.spec.securityContext = { appArmorProfile: { type: 'Localhost', localhostProfile: 'my-missing-profile' } };
        return r;
      }),
    ran: BUILT,
  },
};

const loaded = await loadLab(HERE);
if (!loaded.ok) throw new Error(`labs/apparmor does not load: ${JSON.stringify(loaded.problems)}`);
const lab = loaded.lab;

const failedCodes = (findings: Finding[]) => findings.filter((f) => !f.ok).map((f) => f.code);

describe('the apparmor wrong-answer catalogue, judged against recordings', () => {
  it('has a recorded state for every answer of answers.yaml, and none for answers it does not list', () => {
    const scripts = lab.steps.flatMap((s) => s.answers.map((a) => a.script));
    expect(scripts.length).toBeGreaterThan(0);
    expect(Object.keys(STATES).sort()).toEqual([...scripts].sort());
  });

  for (const step of lab.steps) {
    for (const answer of step.answers) {
      const verdict = answer.verdict === 'wrong' ? `fails with ${answer.cause}` : 'passes';
      const title = `${step.id}: ${answer.script} ${verdict} (${STATES[answer.script]?.ran ?? 'no recorded state'})`;
      it(title, async () => {
        const state = STATES[answer.script];
        if (!state) throw new Error(`no recorded state for ${answer.script}`);
        const findings = await step.check(await state.view());
        const shown = JSON.stringify(findings, null, 2);
        if (answer.verdict === 'wrong') {
          expect(findingsPass(findings), shown).toBe(false);
          expect(failedCodes(findings), shown).toContain(answer.cause);
        } else {
          expect(findingsPass(findings), shown).toBe(true);
        }
      });
    }
  }
});
