import { createContext, useContext, useSyncExternalStore } from 'react';
import type { ConnectionStatus, TerminalConnection } from './terminal-connection.js';
import type { TerminalHub } from './terminal-hub.js';

export const TerminalHubContext = createContext<TerminalHub | undefined>(undefined);

/** The page's TerminalHub; re-renders the caller when tabs or the active tab change. */
export function useTerminalHub(): TerminalHub {
  const hub = useContext(TerminalHubContext);
  if (!hub) throw new Error('useTerminalHub needs a TerminalHubContext provider');
  useSyncExternalStore(
    (listener) => hub.subscribe(listener),
    () => hub.version,
  );
  return hub;
}

export function useConnectionStatus(connection: TerminalConnection): ConnectionStatus {
  return useSyncExternalStore(
    (listener) => connection.subscribe(listener),
    () => connection.status,
  );
}
