// The /terminals socket.io namespace: one socket per terminal tab. Who may
// connect at all (Host, exact Origin, the credential) is decided before a
// socket exists (http/request-gate.ts, http/socket-auth.ts); this module
// decides what a connected socket may do, and validates every message from
// the page with zod.
import type { Namespace, Socket } from 'socket.io';
import {
  terminalAckSchema,
  terminalAttachSchema,
  terminalInputSchema,
  terminalResizeSchema,
  type TerminalClientEvents,
  type TerminalServerEvents,
} from '../protocol.js';
import { TerminalError, type OpenedTerminal, type TerminalManager } from './terminal-manager.js';
import type { TerminalViewer } from './terminal-session.js';

type TerminalSocket = Socket<TerminalClientEvents, TerminalServerEvents>;

export const CLUSTER_DISABLED_MESSAGE = 'The cluster is not running. Start it with `npm start`.';
export const DISPLACED_MESSAGE =
  'This terminal was opened in another tab or window, so it is no longer shown here. Reload to take it back.';
const MALFORMED_MESSAGE = 'The page asked for a terminal in a way the server does not understand. Reload the page.';

export function registerTerminalNamespace(nsp: Namespace, manager: TerminalManager, clusterEnabled: boolean): void {
  const terminals = nsp as Namespace<TerminalClientEvents, TerminalServerEvents>;
  terminals.on('connection', (socket) => {
    void serveTerminal(socket, manager, clusterEnabled);
  });
}

/**
 * Tell the page why in plain words, then end this namespace's socket only
 * (not the shared connection other tabs multiplex on). A server-side
 * disconnect also stops socket.io-client from reconnecting in a loop.
 */
function refuse(socket: TerminalSocket, message: string): void {
  socket.emit('problem', message);
  socket.disconnect();
}

async function serveTerminal(socket: TerminalSocket, manager: TerminalManager, clusterEnabled: boolean): Promise<void> {
  if (!clusterEnabled) {
    refuse(socket, CLUSTER_DISABLED_MESSAGE);
    return;
  }
  const request = terminalAttachSchema.safeParse(socket.handshake.auth);
  if (!request.success) {
    refuse(socket, MALFORMED_MESSAGE);
    return;
  }
  const { target, sessionId, cols, rows } = request.data;

  let opened: OpenedTerminal;
  try {
    opened = await manager.open({ target, size: { cols, rows }, ...(sessionId ? { sessionId } : {}) });
  } catch (error) {
    const message =
      error instanceof TerminalError
        ? error.message
        : `The terminal on "${target}" could not be started: ${error instanceof Error ? error.message : String(error)}`;
    refuse(socket, message);
    return;
  }
  // The page may have gone while the node list was fetched; the session (if
  // new) is reaped after the grace period like any detached one.
  if (socket.disconnected) return;

  const { session, reattached } = opened;
  const viewer: TerminalViewer = {
    snapshot: (data) => socket.emit('snapshot', data),
    output: (data) => socket.emit('output', data),
    exit: (info) => {
      socket.emit('exit', info);
      socket.disconnect();
    },
    displaced: () => refuse(socket, DISPLACED_MESSAGE),
  };

  // Malformed messages are dropped, not answered: only a broken or hostile
  // page sends them, and an answer would only help the latter.
  socket.on('input', (data: unknown) => {
    const parsed = terminalInputSchema.safeParse(data);
    if (parsed.success) session.input(viewer, parsed.data);
  });
  socket.on('resize', (size: unknown) => {
    const parsed = terminalResizeSchema.safeParse(size);
    if (parsed.success) session.resize(viewer, parsed.data);
  });
  socket.on('ack', (chars: unknown) => {
    const parsed = terminalAckSchema.safeParse(chars);
    if (parsed.success) session.ack(viewer, parsed.data);
  });
  socket.on('disconnect', () => manager.detach(session, viewer));

  socket.emit('session', { sessionId: session.id, target: session.target, reattached });
  try {
    manager.attach(session, viewer, { cols, rows });
  } catch (error) {
    refuse(
      socket,
      error instanceof TerminalError ? error.message : 'This terminal has been closed. Reload to open a new one.',
    );
  }
}
