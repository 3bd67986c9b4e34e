// One step: its text (with runnable code), Check, hints, solution, and
// the way to the neighbouring steps.
import type { LabStepView } from '../../../server/protocol.js';
import { withoutLeadingTitle } from '../markdown/leading-heading.js';
import { MarkdownView, type RunRequest } from '../markdown/MarkdownView.js';
import { CheckPanel } from './CheckPanel.js';
import { HintList } from './HintList.js';
import { SolutionPanel } from './SolutionPanel.js';
import { STEP_STATUS_MARK, STEP_STATUS_WORDS } from './step-status.js';

interface StepViewProps {
  labId: string;
  step: LabStepView;
  index: number;
  total: number;
  onRun: (request: RunRequest) => void;
  onStepChanged: () => Promise<void>;
  onGo: (offset: -1 | 1) => void;
}

export function StepView({ labId, step, index, total, onRun, onStepChanged, onGo }: StepViewProps) {
  return (
    <article
      className={`step step-${step.status}`}
      data-step-id={step.id}
      data-step-status={step.status}
      aria-labelledby={`step-title-${step.id}`}
    >
      <header className="step-header">
        <h2 id={`step-title-${step.id}`}>
          <span className="step-number">
            Step {index + 1} of {total}:
          </span>{' '}
          {step.title}
        </h2>
        <span className={`step-badge step-badge-${step.status}`}>
          {STEP_STATUS_MARK[step.status]} {STEP_STATUS_WORDS[step.status]}
        </span>
      </header>
      <MarkdownView
        markdown={withoutLeadingTitle(step.markdown, step.title)}
        labId={labId}
        onRun={onRun}
        className="step-text"
      />
      <CheckPanel labId={labId} step={step} onChecked={onStepChanged} />
      <HintList labId={labId} step={step} onRevealed={onStepChanged} onRun={onRun} />
      <SolutionPanel labId={labId} step={step} onRun={onRun} />
      <footer className="step-footer">
        <button type="button" onClick={() => onGo(-1)} disabled={index === 0} data-action="previous-step">
          ← Previous
        </button>
        <button
          type="button"
          className={step.status === 'passed' ? 'primary' : undefined}
          onClick={() => onGo(1)}
          disabled={index >= total - 1}
          data-action="next-step"
        >
          Next →
        </button>
      </footer>
    </article>
  );
}
