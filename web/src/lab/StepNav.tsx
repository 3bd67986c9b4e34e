// The lab's steps as a list; locked steps can still be read.
import type { LabStepView } from '../../../server/protocol.js';
import { STEP_STATUS_MARK, STEP_STATUS_WORDS } from './step-status.js';

interface StepNavProps {
  steps: LabStepView[];
  selectedId: string | undefined;
  onSelect: (stepId: string) => void;
}

export function StepNav({ steps, selectedId, onSelect }: StepNavProps) {
  return (
    <nav className="step-nav" aria-label="Steps">
      <ol>
        {steps.map((step, index) => (
          <li key={step.id}>
            <button
              type="button"
              className={`step-nav-item step-${step.status} ${step.id === selectedId ? 'step-nav-current' : ''}`}
              aria-current={step.id === selectedId ? 'step' : undefined}
              onClick={() => onSelect(step.id)}
              data-step-nav={step.id}
              data-step-status={step.status}
            >
              <span className="step-mark" aria-hidden="true">
                {STEP_STATUS_MARK[step.status]}
              </span>
              <span className="step-nav-title">
                {index + 1}. {step.title}
              </span>
              <span className="visually-hidden"> ({STEP_STATUS_WORDS[step.status]})</span>
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}
