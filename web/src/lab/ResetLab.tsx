// Reset puts the cluster back to the lab's starting point and forgets
// progress, so it asks first (inline, no window.confirm: testable, styled).
import { useCallback, useState } from 'react';
import type { ResetResult } from '../../../server/protocol.js';
import { resetLab } from '../api/labs-api.js';
import { useAction } from '../app/use-action.js';

export function ResetLab({ labId, onReset }: { labId: string; onReset: () => Promise<void> }) {
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState<ResetResult>();
  const reset = useAction(
    useCallback(async () => {
      setConfirming(false);
      setResult(await resetLab(labId));
      await onReset();
    }, [labId, onReset]),
  );
  return (
    <div className="reset-lab">
      {confirming ? (
        <span role="group" aria-label="Confirm reset">
          <span>Undo your changes for this lab and start over? </span>
          <button type="button" className="danger" onClick={() => void reset.run()} data-action="reset-confirm">
            Yes, reset
          </button>{' '}
          <button type="button" onClick={() => setConfirming(false)} data-action="reset-cancel">
            Cancel
          </button>
        </span>
      ) : (
        <button type="button" onClick={() => setConfirming(true)} disabled={reset.busy} data-action="reset">
          {reset.busy ? 'Resetting…' : 'Reset lab'}
        </button>
      )}
      {reset.error && (
        <p className="error" role="alert">
          Reset failed: {reset.error}
        </p>
      )}
      {result && (
        <details
          className={`reset-log ${result.ok ? '' : 'reset-log-failed'}`}
          open={!result.ok}
          data-reset-result={result.ok ? 'ok' : 'failed'}
        >
          <summary>{result.ok ? 'The lab was reset.' : 'The reset did not finish cleanly.'} Log</summary>
          <pre>{result.log}</pre>
        </details>
      )}
    </div>
  );
}
