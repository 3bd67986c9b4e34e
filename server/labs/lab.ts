// A lab as the engine uses it: lab.yaml validated, Markdown and scripts read,
// checks resolved to functions. Immutable once loaded.
import type { Check } from '../checks/check.js';
import type { LoadedAnswer } from './answer-catalogue.js';
import type { BackupSpec } from './lab-schema.js';

export interface LoadedStep {
  id: string;
  title: string;
  markdown: string;
  checkName: string;
  check: Check;
  hints: string[];
  /** Bash source of the reference solution. */
  solution: string;
  solutionFile: string;
  /** Node the solution runs on. */
  runOn: string;
  /** The step's wrong-answer catalogue (answers.yaml); empty when the lab or the step has none. */
  answers: LoadedAnswer[];
}

export interface LoadedLab {
  id: string;
  /** Absolute directory of the lab. */
  dir: string;
  title: string;
  summary: string;
  minutes: number;
  requires: string[];
  /** Container images the lab uses (lab.yaml `images`), as written there. */
  images: string[];
  intro: string;
  setup?: string;
  cleanup: string;
  /** Node for setup and cleanup. */
  runOn: string;
  backups: BackupSpec[];
  steps: LoadedStep[];
  /** Whether the lab has an answers.yaml (`validate` requires one; the page does not). */
  hasAnswerCatalogue?: boolean;
}

/** Static-pod manifests: editing one restarts a control-plane component. */
const CONTROL_PLANE_MANIFESTS = '/etc/kubernetes/manifests/';

/**
 * Whether resetting the lab restarts control-plane components (it restores a
 * static-pod manifest), so the cluster must be waited for afterwards.
 */
export function restartsControlPlane(lab: LoadedLab): boolean {
  return lab.backups.some((b) => b.path.startsWith(CONTROL_PLANE_MANIFESTS));
}
