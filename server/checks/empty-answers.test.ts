// Every check of every lab, on every recorded cluster, with the answers a
// real cluster gives when there is nothing to say: an empty log, an exec
// whose stream closed with no output and no status, a command that printed
// nothing, an empty node file. A check must judge (findings), never crash
// (the runner's `error`), whatever comes back empty.
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CoreV1Event, KubernetesObject, V1Namespace, V1Pod } from '@kubernetes/client-node';
import { PROJECT_ROOT } from '../config.js';
import type { ClusterNode } from '../protocol.js';
import { loadLab } from '../labs/lab-loader.js';
import { CheckRunner } from './check-runner.js';
import type { CallOptions, ClusterView, ExecResult, ListOptions, LogOptions, ObjectRef } from './cluster-view.js';
import { RecordedClusterView, recordingSchema } from './recorded-cluster-view.js';

/** How the empty answer looks for commands (pod exec and node exec). */
type EmptyExec = 'no-status' | 'silent-success' | 'silent-failure';

const EMPTY_EXECS: Record<EmptyExec, ExecResult> = {
  // The exec websocket closed before the status channel said anything.
  'no-status': { exitCode: null, stdout: '', stderr: '', failure: 'the exec stream closed without a status' },
  'silent-success': { exitCode: 0, stdout: '', stderr: '' },
  'silent-failure': { exitCode: 1, stdout: '', stderr: '' },
};

/** TEST DOUBLE: the recorded objects, but every log, exec and node file is empty. */
class EmptyAnswersView implements ClusterView {
  constructor(
    private readonly objects: RecordedClusterView,
    private readonly exec: ExecResult,
  ) {}
  getPod(namespace: string, name: string, options?: CallOptions): Promise<V1Pod | undefined> {
    return this.objects.getPod(namespace, name, options);
  }
  listPods(namespace: string, options?: ListOptions): Promise<V1Pod[]> {
    return this.objects.listPods(namespace, options);
  }
  getNamespace(name: string, options?: CallOptions): Promise<V1Namespace | undefined> {
    return this.objects.getNamespace(name, options);
  }
  getObject(ref: ObjectRef, options?: CallOptions): Promise<KubernetesObject | undefined> {
    return this.objects.getObject(ref, options);
  }
  eventsFor(namespace: string, objectName: string, options?: CallOptions): Promise<CoreV1Event[]> {
    return this.objects.eventsFor(namespace, objectName, options);
  }
  podLogs(_namespace: string, _pod: string, _options?: LogOptions): Promise<string> {
    return Promise.resolve('');
  }
  execInPod(): Promise<ExecResult> {
    return Promise.resolve({ ...this.exec });
  }
  execOnNode(): Promise<ExecResult> {
    return Promise.resolve({ ...this.exec });
  }
  readNodeFile(): Promise<string | undefined> {
    return Promise.resolve('');
  }
  nodes(options?: CallOptions): Promise<ClusterNode[]> {
    return this.objects.nodes(options);
  }
}

const LABS_DIR = path.join(PROJECT_ROOT, 'labs');

async function recordingsOf(labDir: string): Promise<{ name: string; view: RecordedClusterView }[]> {
  const dir = path.join(labDir, 'fixtures');
  const files = await fs.readdir(dir).catch(() => [] as string[]);
  const out: { name: string; view: RecordedClusterView }[] = [];
  for (const file of files.filter((f) => f.endsWith('.json')).sort()) {
    const parsed = recordingSchema.safeParse(JSON.parse(await fs.readFile(path.join(dir, file), 'utf8')));
    if (parsed.success) out.push({ name: file, view: new RecordedClusterView(parsed.data) });
  }
  // An empty cluster (nothing created yet) is a recording too.
  out.push({ name: '(empty cluster)', view: new RecordedClusterView({}) });
  return out;
}

const labIds = (await fs.readdir(LABS_DIR, { withFileTypes: true }))
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

describe.each(labIds)('lab %s: every check judges empty answers', (labId) => {
  it('gives findings, never an error, for every recording × empty exec', async () => {
    const loaded = await loadLab(path.join(LABS_DIR, labId));
    if (!loaded.ok) throw new Error(`${labId} does not load: ${JSON.stringify(loaded.problems)}`);
    const crashes: string[] = [];
    let judged = 0;
    for (const { name, view } of await recordingsOf(loaded.lab.dir)) {
      for (const [kind, exec] of Object.entries(EMPTY_EXECS)) {
        const runner = new CheckRunner({ view: () => new EmptyAnswersView(view, exec) });
        for (const step of loaded.lab.steps) {
          const result = await runner.run({ name: step.checkName, check: step.check });
          if (result.error !== undefined || result.findings.length === 0)
            crashes.push(`${step.id} on ${name} with ${kind} exec: ${result.error ?? 'no findings'}`);
          else judged++;
        }
      }
    }
    expect(crashes).toEqual([]);
    expect(judged).toBeGreaterThan(0);
  });
});
