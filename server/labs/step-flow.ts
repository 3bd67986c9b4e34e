// Learn mode as pure rules over stored progress: steps unlock in order (a
// step opens once the one before it has passed at least once, so a later
// slip on an earlier step does not lock the learner out), hints come one at a
// time, and the solution is offered after a hint or a failed check.
import type { LabStepView, StepStatus } from '../protocol.js';
import type { LoadedLab, LoadedStep } from './lab.js';
import type { LabProgress, StepProgress } from '../progress/progress-store.js';

const EMPTY: StepProgress = { hintsUsed: 0, everPassed: false, everFailed: false, solutionViewed: false };

export function stepProgress(progress: LabProgress, stepId: string): StepProgress {
  return progress.steps.get(stepId) ?? EMPTY;
}

export function isUnlocked(lab: LoadedLab, progress: LabProgress, index: number): boolean {
  if (index <= 0) return true;
  const previous = lab.steps[index - 1];
  return previous !== undefined && stepProgress(progress, previous.id).everPassed;
}

export function stepStatus(lab: LoadedLab, progress: LabProgress, index: number): StepStatus {
  const step = lab.steps[index];
  if (!step || !isUnlocked(lab, progress, index)) return 'locked';
  const last = stepProgress(progress, step.id).lastResult;
  if (!last) return 'open';
  if (last.ok) return 'passed';
  // A check that could not judge (cluster down) does not mark the answer wrong.
  return last.error ? 'open' : 'failed';
}

export function solutionAvailable(sp: StepProgress): boolean {
  return sp.hintsUsed > 0 || sp.everFailed || sp.solutionViewed;
}

export function stepView(lab: LoadedLab, progress: LabProgress, index: number): LabStepView {
  const step = lab.steps[index] as LoadedStep;
  const sp = stepProgress(progress, step.id);
  const view: LabStepView = {
    id: step.id,
    title: step.title,
    markdown: step.markdown,
    status: stepStatus(lab, progress, index),
    hintsTotal: step.hints.length,
    hints: step.hints.slice(0, sp.hintsUsed),
    solutionAvailable: solutionAvailable(sp),
  };
  if (sp.lastResult) view.lastResult = sp.lastResult;
  return view;
}

/** Where to reopen the lab: the stored step if still unlocked, else the first step not yet passed. */
export function currentStepId(lab: LoadedLab, progress: LabProgress): string | undefined {
  const stored = progress.currentStepId;
  const index = lab.steps.findIndex((s) => s.id === stored);
  if (stored !== undefined && index >= 0 && isUnlocked(lab, progress, index)) return stored;
  const firstOpen = lab.steps.findIndex((_s, i) => stepStatus(lab, progress, i) !== 'passed');
  return lab.steps[firstOpen >= 0 ? firstOpen : lab.steps.length - 1]?.id;
}
