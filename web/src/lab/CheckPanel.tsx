import { useCallback, useState } from 'react';
import type { CheckResult, LabStepView } from '../../../server/protocol.js';
import { checkStep } from '../api/labs-api.js';
import { useAction } from '../app/use-action.js';
import { CheckResultView } from './CheckResultView.js';
import { ApiserverBreakGlass, needsBreakGlass } from '../components/ApiserverBreakGlass.js';

interface CheckPanelProps {
  labId: string;
  step: LabStepView;
  /** The server's step states changed (a pass unlocks the next step). */
  onChecked: () => Promise<void>;
}

export function CheckPanel({ labId, step, onChecked }: CheckPanelProps) {
  const [result, setResult] = useState<CheckResult | undefined>(step.lastResult);
  const check = useAction(
    useCallback(async () => {
      setResult(await checkStep(labId, step.id));
      await onChecked();
    }, [labId, step.id, onChecked]),
  );
  const locked = step.status === 'locked';
  return (
    <div className="check-panel">
      <button
        type="button"
        className="primary"
        onClick={() => void check.run()}
        disabled={locked || check.busy}
        aria-busy={check.busy}
        data-action="check"
      >
        {check.busy ? 'Checking…' : 'Check'}
      </button>
      {locked && <span className="muted"> Pass the earlier steps first; you can read ahead.</span>}
      {check.error && (
        <p className="error" role="alert">
          Could not run the check: {check.error}
        </p>
      )}
      {result && !check.busy && <CheckResultView result={result} />}
      {result && !check.busy && needsBreakGlass(result) && <ApiserverBreakGlass labId={labId} />}
    </div>
  );
}
