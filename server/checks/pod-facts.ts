// Small, pure readings of a pod that most checks need: which container,
// is it ready, and if not, why, in the kubelet's own words.
import type { V1Container, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { ExecResult } from './cluster-view.js';

/** The named container, or the only/first one when no name is given. */
export function containerOf(pod: V1Pod, name?: string): V1Container | undefined {
  const containers = pod.spec?.containers ?? [];
  return name === undefined ? containers[0] : containers.find((c) => c.name === name);
}

export function containerStatusOf(pod: V1Pod, name: string): V1ContainerStatus | undefined {
  return pod.status?.containerStatuses?.find((s) => s.name === name);
}

export function podReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** "Running, ready", "CrashLoopBackOff (restarted 4 times): back-off 40s ...", "Pending". */
export function describeContainerState(pod: V1Pod, name: string): string {
  const status = containerStatusOf(pod, name);
  if (!status) return `pod phase ${pod.status?.phase ?? 'unknown'}, container ${name} has no status yet`;
  const restarts = status.restartCount > 0 ? ` (restarted ${status.restartCount} times)` : '';
  const state = status.state;
  if (state?.waiting)
    return `${state.waiting.reason ?? 'Waiting'}${restarts}${state.waiting.message ? `: ${state.waiting.message}` : ''}`;
  if (state?.terminated)
    return `Terminated ${state.terminated.reason ?? ''} with exit code ${state.terminated.exitCode}${restarts}`.replace(
      '  ',
      ' ',
    );
  if (state?.running) return `Running${status.ready ? ', ready' : ', not ready'}${restarts}`;
  return `unknown state${restarts}`;
}

/** One line about an exec outcome, for a finding's `found`. */
export function describeExec(result: ExecResult): string {
  if (result.exitCode === null) return `did not run: ${result.failure ?? result.stderr.trim() ?? 'unknown reason'}`;
  const out = (result.stderr.trim() || result.stdout.trim()).split('\n')[0] ?? '';
  return `exit code ${result.exitCode}${out ? `: ${out}` : ''}`;
}

/** True when exec failed because the program does not exist in the container. */
export function programMissing(result: ExecResult): boolean {
  const text = `${result.failure ?? ''}\n${result.stderr}`;
  return (
    /executable file not found|no such file or directory|not found/i.test(text) &&
    (result.exitCode === null || result.exitCode === 126 || result.exitCode === 127 || result.exitCode === 128)
  );
}

/**
 * The events of this pod, not of an earlier pod with the same name: events
 * are listed by name and outlive the pod (about an hour), so after a learner
 * deletes and re-creates a pod, the old one's probe failures and refusals are
 * still listed. Events without a uid (hand-made recordings) are kept.
 */
export function eventsOfThisPod<E extends { involvedObject?: { uid?: string } }>(pod: V1Pod, events: E[]): E[] {
  const uid = pod.metadata?.uid;
  if (!uid) return events;
  return events.filter((e) => e.involvedObject?.uid === undefined || e.involvedObject.uid === uid);
}
