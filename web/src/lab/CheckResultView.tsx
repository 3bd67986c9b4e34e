// A check's verdict, finding by finding: what was expected, what was found,
// where the evidence came from, and advice for a recognised wrong answer.
import type { CheckResult } from '../../../server/protocol.js';

export function CheckResultView({ result }: { result: CheckResult }) {
  const verdict = result.error ? 'error' : result.ok ? 'passed' : 'failed';
  return (
    <div
      className={`check-result check-result-${verdict}`}
      data-check-result={verdict}
      role="status"
      aria-live="polite"
    >
      <p className="check-verdict">
        {result.error
          ? 'The check could not decide (not your fault):'
          : result.ok
            ? '✓ Step passed.'
            : '✗ Not yet. Here is what the check found:'}
        <span className="check-duration"> ({Math.round(result.durationMs)} ms)</span>
      </p>
      {result.error && <p className="check-error">{result.error}</p>}
      {result.findings.length > 0 && (
        <ul className="findings">
          {result.findings.map((finding, index) => (
            <li key={index} className={finding.ok ? 'finding-ok' : 'finding-bad'} data-finding-ok={finding.ok}>
              <span className="finding-mark" aria-label={finding.ok ? 'ok' : 'not ok'}>
                {finding.ok ? '✓' : '✗'}
              </span>
              <dl className="finding-body">
                <dt>Expected</dt>
                <dd>
                  <code>{finding.expected}</code>
                </dd>
                <dt>Found</dt>
                <dd>
                  <code>{finding.found}</code>
                </dd>
                {finding.where && (
                  <>
                    <dt>Where</dt>
                    <dd>{finding.where}</dd>
                  </>
                )}
                {finding.advice && (
                  <>
                    <dt>Advice</dt>
                    <dd className="finding-advice">{finding.advice}</dd>
                  </>
                )}
              </dl>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
