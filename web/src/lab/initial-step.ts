import type { LabDetail } from '../../../server/protocol.js';

/** Where to reopen a lab: where the learner left off, else the first step not yet passed. */
export function initialStepId(lab: LabDetail): string | undefined {
  if (lab.currentStepId && lab.steps.some((s) => s.id === lab.currentStepId)) return lab.currentStepId;
  return (lab.steps.find((s) => s.status === 'open' || s.status === 'failed') ?? lab.steps[0])?.id;
}
