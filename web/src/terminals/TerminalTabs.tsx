// The right-hand side: one tab per cluster node, each a live root shell.
import type { KeyboardEvent } from 'react';
import type { ClusterStatus } from '../../../server/protocol.js';
import type { TerminalConnection } from './terminal-connection.js';
import { TerminalPane } from './TerminalPane.js';
import { useConnectionStatus, useTerminalHub } from './use-terminal-hub.js';

const tabId = (target: string): string => `terminal-tab-${target}`;
const panelId = (target: string): string => `terminal-panel-${target}`;

function TabLabel({ connection }: { connection: TerminalConnection }) {
  const { phase } = useConnectionStatus(connection);
  return (
    <>
      <span className={`tab-dot tab-dot-${phase}`} aria-hidden="true" />
      {connection.target}
      <span className="visually-hidden"> ({phase})</span>
    </>
  );
}

export function TerminalTabs({ cluster }: { cluster: ClusterStatus | undefined }) {
  const hub = useTerminalHub();
  const targets = hub.targets();
  const active = hub.active;

  // Arrow keys move between tabs (WAI-ARIA tabs pattern).
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
    const index = active === undefined ? 0 : targets.indexOf(active);
    const next = targets[(index + (event.key === 'ArrowRight' ? 1 : targets.length - 1)) % targets.length];
    if (next === undefined) return;
    event.preventDefault();
    hub.activate(next);
    document.getElementById(tabId(next))?.focus();
  };

  if (targets.length === 0) {
    return (
      <section className="terminals terminals-empty" aria-label="Terminals">
        <p>No terminals yet.</p>
        {cluster && cluster.state !== 'running' && <p>{cluster.message ?? `The cluster is ${cluster.state}.`}</p>}
      </section>
    );
  }

  return (
    <section className="terminals" aria-label="Terminals">
      <div className="terminal-tabs" role="tablist" aria-label="Cluster nodes" onKeyDown={onKeyDown}>
        {targets.map((target) => {
          const connection = hub.get(target);
          if (!connection) return null;
          const selected = target === active;
          return (
            <button
              key={target}
              type="button"
              role="tab"
              id={tabId(target)}
              aria-selected={selected}
              aria-controls={panelId(target)}
              tabIndex={selected ? 0 : -1}
              className={`terminal-tab ${selected ? 'terminal-tab-active' : ''}`}
              onClick={() => {
                hub.activate(target);
                connection.focus();
              }}
              data-terminal-tab={target}
            >
              <TabLabel connection={connection} />
            </button>
          );
        })}
        <span className="terminal-tabs-help">Copy: select or Ctrl-Shift-C · Paste: Ctrl-Shift-V</span>
      </div>
      <div className="terminal-panes">
        {targets.map((target) => {
          const connection = hub.get(target);
          return connection ? (
            <TerminalPane
              key={target}
              connection={connection}
              visible={target === active}
              tabId={tabId(target)}
              panelId={panelId(target)}
            />
          ) : null;
        })}
      </div>
    </section>
  );
}
