// The reference solution, last resort: only once the server allows it.
import { useCallback, useState } from 'react';
import type { LabStepView } from '../../../server/protocol.js';
import { fetchSolution } from '../api/labs-api.js';
import { useAction } from '../app/use-action.js';
import { MarkdownView, type RunRequest } from '../markdown/MarkdownView.js';
import { codeFence } from './code-fence.js';
import { solutionCommand } from './solution-command.js';

interface SolutionPanelProps {
  labId: string;
  step: LabStepView;
  onRun: (request: RunRequest) => void;
}

export function SolutionPanel({ labId, step, onRun }: SolutionPanelProps) {
  const [solution, setSolution] = useState<{ script: string; runOn: string }>();
  const show = useAction(
    useCallback(async () => {
      setSolution(await fetchSolution(labId, step.id));
    }, [labId, step.id]),
  );
  return (
    <section className="solution" aria-label="Solution">
      {solution === undefined ? (
        <>
          <button
            type="button"
            onClick={() => void show.run()}
            disabled={!step.solutionAvailable || show.busy}
            data-action="solution"
            title={step.solutionAvailable ? undefined : 'Available after a hint or a failed check'}
          >
            Show solution
          </button>
          {!step.solutionAvailable && <span className="muted"> (after a hint or a failed check)</span>}
        </>
      ) : (
        <div data-solution="">
          <h3>Solution</h3>
          <MarkdownView
            markdown={codeFence(solution.script, `bash run=${solution.runOn}`)}
            labId={labId}
            onRun={(request) => onRun({ ...request, text: solutionCommand(request.text) })}
          />
        </div>
      )}
      {show.error && (
        <p className="error" role="alert">
          {show.error}
        </p>
      )}
    </section>
  );
}
