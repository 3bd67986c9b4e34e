// Reset puts the cluster back to the lab's starting point and forgets
// progress, so it asks first (inline, no window.confirm: testable, styled).
// A reset that restarts the API server can take minutes while the other
// control-plane parts come back: meanwhile the page says what it waits for.
import { useCallback, useEffect, useState } from 'react';
import type { HealthItem, ResetResult } from '../../../server/protocol.js';
import { fetchClusterHealth, resetLab } from '../api/labs-api.js';
import { useAction } from '../app/use-action.js';

const HEALTH_POLL_MS = 3_000;

/** While `active`, the cluster components that do not work yet (polled). */
function useAwaitedComponents(active: boolean): HealthItem[] {
  const [awaited, setAwaited] = useState<HealthItem[]>([]);
  useEffect(() => {
    if (!active) {
      setAwaited([]);
      return;
    }
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const items = await fetchClusterHealth(controller.signal);
        setAwaited(items.filter((i) => !i.ok));
      } catch {
        // The server is busy resetting or the API is restarting: the next poll tells.
      }
      if (!controller.signal.aborted) timer = setTimeout(() => void poll(), HEALTH_POLL_MS);
    };
    timer = setTimeout(() => void poll(), HEALTH_POLL_MS);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [active]);
  return awaited;
}

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
  const awaited = useAwaitedComponents(reset.busy);
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
      {reset.busy && awaited.length > 0 && (
        <div role="status" aria-live="polite" className="reset-waiting">
          Waiting for the cluster to work again:
          <ul>
            {awaited.map((item) => (
              <li key={item.component}>
                {item.component}: {item.found}
              </li>
            ))}
          </ul>
        </div>
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
          {result.health?.some((h) => !h.ok) && (
            <ul aria-label="Cluster components not working">
              {result.health
                .filter((h) => !h.ok)
                .map((h) => (
                  <li key={h.component}>
                    {h.component}: {h.found}
                  </li>
                ))}
            </ul>
          )}
          <pre>{result.log}</pre>
        </details>
      )}
    </div>
  );
}
