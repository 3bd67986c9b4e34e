// A lab as the engine uses it: lab.yaml validated, Markdown and scripts read,
// checks resolved to functions. Immutable once loaded.
import type { Check } from '../checks/check.js';
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
}
