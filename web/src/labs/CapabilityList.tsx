// What a lab needs from the host, and for each missing piece why it is
// missing and which hosts have it — shown before the learner starts.
import type { CapabilityReport } from '../../../server/protocol.js';

/** `showReasons` is off where a NotRunnableNotice already explains the missing ones. */
export function CapabilityList({
  capabilities,
  showReasons = true,
}: {
  capabilities: CapabilityReport[];
  showReasons?: boolean;
}) {
  if (capabilities.length === 0) return null;
  return (
    <ul className="capabilities" aria-label="Host capabilities">
      {capabilities.map((cap) => (
        <li key={cap.capability} className={cap.available ? 'capability-ok' : 'capability-missing'}>
          <span className="capability-mark" aria-hidden="true">
            {cap.available ? '✓' : '✗'}
          </span>
          <span className="capability-name">{cap.capability}</span>
          <span className="visually-hidden">{cap.available ? ' available' : ' not available'}</span>
          {showReasons && !cap.available && cap.reason && <span className="capability-reason"> — {cap.reason}</span>}
        </li>
      ))}
    </ul>
  );
}

export function NotRunnableNotice({ capabilities }: { capabilities: CapabilityReport[] }) {
  const missing = capabilities.filter((cap) => !cap.available);
  return (
    <div className="not-runnable" role="note">
      <strong>This lab cannot run on this host.</strong>{' '}
      {missing.length > 0 ? 'It needs what this host lacks:' : 'The server reports it as not runnable here.'}
      {missing.length > 0 && (
        <ul>
          {missing.map((cap) => (
            <li key={cap.capability}>
              <strong>{cap.capability}</strong>
              {cap.reason ? `: ${cap.reason}` : ''}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
