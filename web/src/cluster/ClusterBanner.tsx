// Says whether the cluster is there and, when it is not, what to do about it;
// while the server creates it, shows the progress log live.
import { useEffect, useRef } from 'react';
import type { ClusterProgress, ClusterStatus } from '../../../server/protocol.js';
import type { ClusterView } from './use-cluster.js';

const STATE_WORDS: Record<ClusterStatus['state'], string> = {
  running: 'running',
  starting: 'being created…',
  absent: 'not created',
  unreachable: 'not answering',
  disabled: 'not started (server runs without a cluster)',
};

function ProgressLog({ lines }: { lines: ClusterProgress[] }) {
  const logRef = useRef<HTMLOListElement>(null);
  // Follow the tail, like a terminal would.
  useEffect(() => {
    const log = logRef.current;
    if (log) log.scrollTop = log.scrollHeight;
  }, [lines]);
  return (
    <ol className="progress-log" ref={logRef} aria-label="Cluster progress" aria-live="polite">
      {lines.map((event, index) => (
        <li key={index} className={event.error ? 'progress-error' : event.done ? 'progress-done' : undefined}>
          <span className="progress-stage">{event.stage}</span> {event.error ?? event.line}
        </li>
      ))}
    </ol>
  );
}

export function ClusterBanner({ cluster }: { cluster: ClusterView }) {
  const { status, progress, error, live, authLost } = cluster;
  const last = progress.at(-1);
  // Keep the log on screen while work is under way or after it failed.
  const showProgress =
    progress.length > 0 && (status?.state !== 'running' || last?.done !== true || last.error !== undefined);

  if (authLost) {
    return (
      <div className="cluster-banner cluster-banner-bad" role="alert" data-cluster-state="auth-lost">
        This page is not signed in to the Hardening Lab server: it was opened without the start link, or the server
        restarted with a new token. Open the link with <code>#token=…</code> that it printed in your terminal.
      </div>
    );
  }
  if (error && !status) {
    return (
      <div className="cluster-banner cluster-banner-bad" role="alert" data-cluster-state="error">
        Cannot reach the Hardening Lab server: {error}
      </div>
    );
  }
  if (!status)
    return (
      <div className="cluster-banner" data-cluster-state="loading">
        Asking the server about the cluster…
      </div>
    );

  const running = status.state === 'running';
  return (
    <div
      className={`cluster-banner ${running ? 'cluster-banner-ok' : 'cluster-banner-bad'}`}
      data-cluster-state={status.state}
    >
      <div className="cluster-summary" role={running ? undefined : 'status'}>
        <span className={`cluster-dot cluster-dot-${status.state}`} aria-hidden="true" />
        Cluster <strong>{status.name}</strong> ({status.provider}) is {STATE_WORDS[status.state]}
        {running && ` · ${status.nodes.length} node${status.nodes.length === 1 ? '' : 's'}`}
        {!live && <span className="cluster-stale"> · live updates reconnecting…</span>}
      </div>
      {!running && status.message && <p className="cluster-message">{status.message}</p>}
      {showProgress && <ProgressLog lines={progress} />}
    </div>
  );
}
