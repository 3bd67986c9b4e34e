// A lab: intro, step list and the selected step. Run buttons type into the
// terminals on the right through the TerminalHub.
import { useCallback, useState } from 'react';
import type { LabDetail } from '../../../server/protocol.js';
import { ApiError } from '../api/api-error.js';
import { openLab, reportCurrentStep } from '../api/labs-api.js';
import { Link } from '../app/Link.js';
import { useAsync } from '../app/use-async.js';
import { NotRunnableNotice } from '../labs/CapabilityList.js';
import { withoutLeadingTitle } from '../markdown/leading-heading.js';
import { MarkdownView, type RunRequest } from '../markdown/MarkdownView.js';
import { useTerminalHub } from '../terminals/use-terminal-hub.js';
import { initialStepId } from './initial-step.js';
import { ResetLab } from './ResetLab.js';
import { StepNav } from './StepNav.js';
import { StepView } from './StepView.js';

function LabContent({ lab, reload }: { lab: LabDetail; reload: () => Promise<void> }) {
  const hub = useTerminalHub();
  const [selectedId, setSelectedId] = useState(() => initialStepId(lab));
  const [runNotice, setRunNotice] = useState<string>();
  // Bumped by a reset so the step's local state (last result, hints, solution) starts over too.
  const [generation, setGeneration] = useState(0);
  const index = Math.max(
    0,
    lab.steps.findIndex((s) => s.id === selectedId),
  );
  const step = lab.steps[index];
  // The intro (why attackers care) matters before the first step; later it is one click away.
  const [started] = useState(
    () => lab.currentStepId !== undefined || lab.steps.some((s) => s.status === 'passed' || s.status === 'failed'),
  );

  const select = useCallback(
    (stepId: string) => {
      setSelectedId(stepId);
      // Where the learner is matters only for reopening; a failure is not worth an error.
      reportCurrentStep(lab.id, stepId).catch(() => undefined);
    },
    [lab.id],
  );

  const onRun = useCallback(
    ({ text, target }: RunRequest) => {
      const outcome = hub.run(text, target);
      setRunNotice(outcome.ok ? undefined : outcome.message);
    },
    [hub],
  );

  const afterReset = useCallback(async () => {
    await reload();
    setGeneration((g) => g + 1);
    const first = lab.steps[0];
    if (first) select(first.id);
  }, [reload, lab.steps, select]);

  return (
    <div className="lab" data-lab-id={lab.id}>
      <header className="lab-header">
        <p className="breadcrumb">
          <Link to={{ page: 'labs' }}>← All labs</Link>
        </p>
        <h1>{lab.title}</h1>
        <p className="lab-meta">
          about {lab.minutes} min · {lab.steps.filter((s) => s.status === 'passed').length} of {lab.steps.length} steps
          passed
        </p>
        {!lab.runnable && <NotRunnableNotice capabilities={lab.capabilities} />}
      </header>
      <StepNav steps={lab.steps} selectedId={step?.id} onSelect={select} />
      <details className="lab-intro" open={!started}>
        <summary>About this lab</summary>
        <MarkdownView markdown={withoutLeadingTitle(lab.intro, lab.title)} labId={lab.id} onRun={onRun} />
      </details>
      {runNotice && (
        <p className="run-notice" role="alert">
          {runNotice}
        </p>
      )}
      {step ? (
        <StepView
          key={`${step.id}#${generation}`}
          labId={lab.id}
          step={step}
          index={index}
          total={lab.steps.length}
          onRun={onRun}
          onStepChanged={reload}
          onGo={(offset) => {
            const next = lab.steps[index + offset];
            if (next) select(next.id);
          }}
        />
      ) : (
        <p>This lab has no steps.</p>
      )}
      <ResetLab labId={lab.id} onReset={afterReset} />
    </div>
  );
}

export function LabPage({ labId }: { labId: string }) {
  const [lab, reload] = useAsync((signal) => openLab(labId, signal), [labId]);
  if (lab.state === 'loading') return <p>Loading the lab…</p>;
  if (lab.state === 'failed') {
    return (
      <div className="lab">
        <p className="breadcrumb">
          <Link to={{ page: 'labs' }}>← All labs</Link>
        </p>
        <p className="error" role="alert">
          {lab.error instanceof ApiError && lab.error.status === 404
            ? `There is no lab "${labId}".`
            : `Could not load the lab: ${lab.message}`}
        </p>
      </div>
    );
  }
  return <LabContent key={lab.value.id} lab={lab.value} reload={reload} />;
}
