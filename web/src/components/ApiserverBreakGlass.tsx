// Break-glass panel for a kube-apiserver that did not come back after a
// static-pod edit: what crictl sees on the control-plane node, the last lines
// of the failed container's log, the likely cause, and a Restore button that
// puts back the manifest backed up when the lab started. Self-contained: it
// talks to its own routes (server/labs/apiserver-diagnosis-routes.ts).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CheckResult } from '../../../server/protocol.js';
import {
  APISERVER_HEALTH_EXPECTED,
  apiserverDiagnosisSchema,
  diagnosisPath,
  restoreBackupsPath,
  restoreResultSchema,
  type ApiserverDiagnosis,
  type RestoreResult,
} from '../../../server/labs/apiserver-diagnosis-protocol.js';
import { describeError } from '../api/api-error.js';
import { getJson, postJson } from '../api/http.js';

/** After Restore, look again this often until the apiserver answers (it needs 30-90 s). */
const POLL_MS = 3_000;
const POLL_LIMIT = 60;

/**
 * Whether a check result says the apiserver is not answering: a runner error
 * about the API server, or a failed health finding from a lab's check.
 */
export function needsBreakGlass(result: CheckResult): boolean {
  if (result.error && /api ?server/i.test(result.error)) return true;
  return result.findings.some((f) => !f.ok && f.expected === APISERVER_HEALTH_EXPECTED);
}

// Tables keep their columns (scroll sideways); log lines wrap.
const tableStyle = { maxHeight: '16em', overflow: 'auto', whiteSpace: 'pre' as const };
const logStyle = {
  maxHeight: '16em',
  overflow: 'auto',
  whiteSpace: 'pre-wrap' as const,
  overflowWrap: 'anywhere' as const,
};

export function ApiserverBreakGlass({ labId }: { labId: string }) {
  const [diagnosis, setDiagnosis] = useState<ApiserverDiagnosis>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<'looking' | 'restoring' | undefined>();
  const [confirming, setConfirming] = useState(false);
  const [restore, setRestore] = useState<RestoreResult>();
  const [polling, setPolling] = useState(0);
  const mounted = useRef(true);

  const look = useCallback(async (): Promise<ApiserverDiagnosis | undefined> => {
    setError(undefined);
    try {
      const next = await getJson(diagnosisPath(labId), apiserverDiagnosisSchema);
      if (mounted.current) setDiagnosis(next);
      return next;
    } catch (e) {
      if (mounted.current) setError(describeError(e));
      return undefined;
    }
  }, [labId]);

  useEffect(() => {
    mounted.current = true;
    setBusy('looking');
    void look().finally(() => mounted.current && setBusy(undefined));
    return () => {
      mounted.current = false;
    };
  }, [look]);

  // After a restore: look every few seconds until healthy (or give up).
  useEffect(() => {
    if (polling === 0) return;
    const timer = setTimeout(() => {
      void look().then((d) => {
        if (!mounted.current) return;
        setPolling(d?.healthy || polling >= POLL_LIMIT ? 0 : polling + 1);
      });
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [polling, look]);

  const doRestore = async () => {
    setConfirming(false);
    setBusy('restoring');
    setError(undefined);
    try {
      const result = await postJson(restoreBackupsPath(labId), {}, restoreResultSchema);
      if (!mounted.current) return;
      setRestore(result);
      if (result.ok) setPolling(1);
    } catch (e) {
      if (mounted.current) setError(describeError(e));
    } finally {
      if (mounted.current) setBusy(undefined);
    }
  };

  const healthy = diagnosis?.healthy ?? false;
  return (
    <section
      className="check-result check-result-error apiserver-break-glass"
      data-break-glass={healthy ? 'healthy' : 'down'}
      aria-label="kube-apiserver diagnosis"
    >
      <p className="check-verdict">
        {diagnosis === undefined
          ? busy === 'looking'
            ? 'Looking at kube-apiserver on the control-plane node…'
            : 'kube-apiserver on the control-plane node'
          : healthy
            ? '✓ kube-apiserver answers again. Press Check.'
            : `kube-apiserver is not answering (/readyz: ${diagnosis.readyz}).`}
        {polling > 0 && !healthy && <span className="muted"> Waiting for it to come back…</span>}
      </p>
      {diagnosis?.hint && !healthy && (
        <p className="finding-advice" data-break-glass-hint>
          <strong>Likely cause:</strong> {diagnosis.hint}
        </p>
      )}
      {diagnosis && !healthy && (
        <>
          <p className="muted">
            <code>crictl ps -a --name kube-apiserver</code> on the control-plane node
            {diagnosis.containers.length > 0 &&
              ` (newest first: ${diagnosis.containers.map((c) => `attempt ${c.attempt} ${c.state}`).join(', ')})`}
            :
          </p>
          <pre style={tableStyle} data-break-glass-ps>
            {diagnosis.crictlPs || '(no kube-apiserver containers)'}
          </pre>
          {diagnosis.containerId && diagnosis.logTail && (
            <>
              <p className="muted">
                <code>crictl logs --tail 30 {diagnosis.containerId.slice(0, 13)}</code>:
              </p>
              <pre style={logStyle} data-break-glass-log>
                {diagnosis.logTail}
              </pre>
            </>
          )}
          {diagnosis.kubeletTail && (
            <>
              <p className="muted">
                <code>journalctl -u kubelet</code> (lines about the apiserver):
              </p>
              <pre style={logStyle}>{diagnosis.kubeletTail}</pre>
            </>
          )}
        </>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <p>
        <button type="button" onClick={() => void look()} disabled={busy !== undefined} data-action="break-glass-look">
          Look again
        </button>{' '}
        {diagnosis && !healthy && diagnosis.restorable.length > 0 && !confirming && (
          <button
            type="button"
            className="danger"
            onClick={() => setConfirming(true)}
            disabled={busy !== undefined}
            data-action="break-glass-restore"
          >
            {busy === 'restoring' ? 'Restoring…' : 'Restore backed-up manifest'}
          </button>
        )}
        {confirming && diagnosis && (
          <span role="group" aria-label="Confirm restore">
            <span>
              Put back {diagnosis.restorable.join(', ')} as it was when the lab started? Your edits to it are lost (your
              policy file stays).{' '}
            </span>
            <button
              type="button"
              className="danger"
              onClick={() => void doRestore()}
              data-action="break-glass-restore-confirm"
            >
              Yes, restore
            </button>{' '}
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        )}
      </p>
      {restore && (
        <details open={!restore.ok} data-restore-result={restore.ok ? 'ok' : 'failed'}>
          <summary>
            {restore.ok
              ? `Restored ${restore.restored.join(', ')}. kubelet restarts the apiserver within a minute.`
              : 'The restore did not finish.'}{' '}
            Log
          </summary>
          <pre style={logStyle}>{restore.log}</pre>
        </details>
      )}
    </section>
  );
}
