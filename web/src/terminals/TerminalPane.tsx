// Places one TerminalConnection's element in the page and shows its
// connection state on top of it. Hidden panes stay mounted (and sized) so
// xterm.js keeps rendering and never needs re-measuring on tab switch.
import { useEffect, useLayoutEffect, useRef } from 'react';
import type { TerminalConnection } from './terminal-connection.js';
import { useConnectionStatus } from './use-terminal-hub.js';

interface TerminalPaneProps {
  connection: TerminalConnection;
  visible: boolean;
  tabId: string;
  panelId: string;
}

function ConnectionOverlay({ connection }: { connection: TerminalConnection }) {
  const status = useConnectionStatus(connection);
  if (status.phase === 'connected' || status.phase === 'exited') return null;
  const words =
    status.phase === 'connecting'
      ? `Connecting to ${connection.target}…`
      : status.phase === 'reconnecting'
        ? `Reconnecting to ${connection.target}…`
        : `Could not attach to ${connection.target}.`;
  return (
    <div
      className={`terminal-overlay terminal-overlay-${status.phase}`}
      role="status"
      data-terminal-phase={status.phase}
    >
      <p>{words}</p>
      {status.detail && <p className="terminal-overlay-detail">{status.detail}</p>}
      {status.phase === 'failed' && (
        <button type="button" onClick={() => connection.retry()}>
          Retry
        </button>
      )}
    </div>
  );
}

function ProblemBar({ connection }: { connection: TerminalConnection }) {
  const status = useConnectionStatus(connection);
  if (!status.problem) return null;
  return (
    <div className="terminal-problem" role="alert" data-terminal-problem="">
      {status.problem}
    </div>
  );
}

export function TerminalPane({ connection, visible, tabId, panelId }: TerminalPaneProps) {
  const slotRef = useRef<HTMLDivElement>(null);

  useLayoutEffect(() => {
    const slot = slotRef.current;
    if (!slot) return;
    slot.appendChild(connection.element);
    connection.attach();
    return () => connection.element.remove();
  }, [connection]);

  // Focus is not moved here: keyboard users switching tabs keep it on the tab
  // (WAI-ARIA tabs); a click on a tab or a Run moves it into the terminal.
  useEffect(() => {
    if (visible) connection.fit();
  }, [visible, connection]);

  return (
    <div
      className={`terminal-pane ${visible ? 'terminal-pane-visible' : 'terminal-pane-hidden'}`}
      role="tabpanel"
      id={panelId}
      aria-labelledby={tabId}
      aria-hidden={!visible}
      data-terminal-target={connection.target}
    >
      <ProblemBar connection={connection} />
      <div className="terminal-slot" ref={slotRef} />
      <ConnectionOverlay connection={connection} />
    </div>
  );
}
