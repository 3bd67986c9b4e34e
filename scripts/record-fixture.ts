// Records what a lab step's check sees on a real cluster into a fixture file
// for RecordedClusterView (labs/<lab>/fixtures/*.json).
// Usage: node --import tsx scripts/record-fixture.ts <lab> <step> <out.json> ["description"]
//        [KUBECONFIG=... HARDENING_LAB_CLUSTER=...]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeClusterView } from '../server/checks/kube-cluster-view.js';
import { RecordingClusterView } from '../server/checks/recording-cluster-view.js';
import { KindProvider } from '../server/cluster/kind-provider.js';
import { DEFAULT_CLUSTER_NAME } from '../server/config.js';
import { loadLab } from '../server/labs/lab-loader.js';
import { formatProblem } from '../server/labs/lab-problem.js';

const [labId, stepId, out, description] = process.argv.slice(2);
if (!labId || !stepId || !out) {
  console.error('usage: record-fixture.ts <lab> <step> <out.json> ["description"]');
  process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const loaded = await loadLab(path.join(root, 'labs', labId));
if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
const step = loaded.lab.steps.find((s) => s.id === stepId);
if (!step) throw new Error(`no step ${stepId} in ${labId}`);
const provider = new KindProvider({
  name: process.env.HARDENING_LAB_CLUSTER ?? DEFAULT_CLUSTER_NAME,
  image: 'unused',
  kindConfig: 'unused',
});
const view = new KubeClusterView({
  provider,
  ...(process.env.KUBECONFIG ? { kubeconfigPath: process.env.KUBECONFIG } : {}),
});
try {
  const recording = new RecordingClusterView(view);
  const findings = await step.check(recording);
  await recording.save(out, description);
  console.log(JSON.stringify(findings, null, 2));
  console.log(`recorded → ${out}`);
} finally {
  view.close();
}
