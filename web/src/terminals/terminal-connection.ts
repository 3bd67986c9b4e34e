// One terminal tab: an xterm.js Terminal joined to one server-side shell over
// its own socket.io connection to the /terminals namespace. It lives outside
// React so hiding a tab, re-rendering or navigating never drops the shell.
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { io, type Socket } from 'socket.io-client';
import {
  FLOW,
  TERMINAL_NAMESPACE,
  type TerminalAttach,
  type TerminalClientEvents,
  type TerminalServerEvents,
} from '../../../server/protocol.js';
import { currentCredential } from '../api/credential.js';
import { AckCounter } from './ack-counter.js';
import { installClipboardKeys } from './clipboard-keys.js';
import type { SessionStore } from './session-store.js';
import { TERMINAL_OPTIONS } from './terminal-options.js';

export type ConnectionPhase =
  /** First connection under way. */
  | 'connecting'
  /** Attached to a shell; `session` received. */
  | 'connected'
  /** Lost the connection; socket.io is retrying on its own. */
  | 'reconnecting'
  /** The shell ended; the next key press starts a new one. */
  | 'exited'
  /** The server refused us; needs a retry (button) rather than waiting. */
  | 'failed';

export interface ConnectionStatus {
  phase: ConnectionPhase;
  /** Why we are not connected, in the server's or socket.io's words. */
  detail?: string;
  /** Last `problem` the server reported for this terminal. */
  problem?: string;
  /** True once this tab has been attached at least once (for test hooks). */
  everAttached: boolean;
}

type TerminalSocket = Socket<TerminalServerEvents, TerminalClientEvents>;

/** Input held while not attached (a Run during a reconnect); more than this is dropped. */
const MAX_PENDING_INPUT_CHARS = 64 * 1024;

/** Wait this long after the last size change before telling the PTY (SIGWINCH storms while dragging). */
const RESIZE_DEBOUNCE_MS = 80;

export class TerminalConnection {
  readonly term: Terminal;
  /** The element xterm.js renders into; TerminalPane places it in the page. */
  readonly element: HTMLDivElement;
  private readonly fitAddon = new FitAddon();
  private readonly flow: AckCounter;
  private readonly listeners = new Set<() => void>();
  private socket: TerminalSocket | undefined;
  private resizeObserver: ResizeObserver | undefined;
  private resizeTimer: number | undefined;
  private fitFrame: number | undefined;
  private opened = false;
  private pendingInput = '';
  private statusValue: ConnectionStatus = { phase: 'connecting', everAttached: false };

  constructor(
    readonly target: string,
    private readonly sessions: SessionStore,
  ) {
    this.term = new Terminal(TERMINAL_OPTIONS);
    this.term.loadAddon(this.fitAddon);
    this.term.loadAddon(new WebLinksAddon());
    installClipboardKeys(this.term);
    this.element = document.createElement('div');
    this.element.className = 'terminal-host';
    this.flow = new AckCounter(FLOW.ackEvery, (chars) => this.socket?.emit('ack', chars));
    this.term.onData((data) => {
      if (this.statusValue.phase === 'exited') {
        this.startNewShell();
        return;
      }
      this.send(data);
    });
    this.term.onResize(({ cols, rows }) => this.scheduleResize(cols, rows));
  }

  get status(): ConnectionStatus {
    return this.statusValue;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Opens xterm.js once the element is in the document (it measures fonts on open), then connects. */
  attach(): void {
    if (this.opened || !this.element.isConnected) return;
    this.opened = true;
    this.term.open(this.element);
    this.fit();
    this.resizeObserver = new ResizeObserver(() => this.scheduleFit());
    this.resizeObserver.observe(this.element);
    this.connect();
  }

  /** Raw input to the shell, exactly as if typed (the test hooks use this too). */
  send(data: string): void {
    if (this.statusValue.phase === 'connected' && this.socket?.connected) {
      this.socket.emit('input', data);
      return;
    }
    // Not attached yet: the server only listens for input once it has opened
    // the session, so anything sent earlier would be lost. Hold it until
    // `session` (a Run clicked during a reconnect or after an exit still lands).
    if (this.pendingInput.length + data.length <= MAX_PENDING_INPUT_CHARS) this.pendingInput += data;
  }

  /**
   * Types a command as a paste (so bash's bracketed paste keeps a multi-line
   * block together) and presses Enter.
   */
  run(text: string): void {
    const command = text.replace(/\r\n/g, '\n').replace(/\n+$/, '');
    if (this.statusValue.phase === 'exited') this.startNewShell();
    this.term.paste(command);
    this.send('\r');
    this.focus();
  }

  /** Deferred a frame: a tab being brought to the front is still hidden until React renders it. */
  focus(): void {
    window.requestAnimationFrame(() => this.term.focus());
  }

  /** Re-measure (the tab became visible, the splitter moved). */
  fit(): void {
    if (!this.opened || this.element.clientWidth === 0 || this.element.clientHeight === 0) return;
    try {
      this.fitAddon.fit();
    } catch {
      // Not measurable yet (fonts still loading); the ResizeObserver will call again.
    }
  }

  /** Gives up on a refused attach and tries again (the Retry button). */
  retry(): void {
    if (!this.socket) return;
    this.setStatus({ phase: 'connecting', detail: undefined });
    this.socket.disconnect();
    this.socket.connect();
  }

  dispose(): void {
    this.resizeObserver?.disconnect();
    window.clearTimeout(this.resizeTimer);
    if (this.fitFrame !== undefined) window.cancelAnimationFrame(this.fitFrame);
    this.socket?.disconnect();
    this.socket = undefined;
    this.term.dispose();
    this.listeners.clear();
  }

  private attachInfo(): TerminalAttach {
    const sessionId = this.sessions.get(this.target);
    return {
      target: this.target,
      ...(sessionId ? { sessionId } : {}),
      cols: Math.max(2, this.term.cols),
      rows: Math.max(1, this.term.rows),
    };
  }

  private connect(): void {
    const socket: TerminalSocket = io(TERMINAL_NAMESPACE, {
      // One connection per tab: a flood in one shell must not delay another.
      forceNew: true,
      transports: ['websocket'],
      // A function, so every reconnect sends the current size, session id
      // and credential. A browser cannot put headers on a websocket: the
      // credential travels in the handshake payload.
      auth: (cb) => cb({ ...this.attachInfo(), credential: currentCredential() ?? '' }),
      reconnectionDelay: 500,
      reconnectionDelayMax: 3000,
    });
    this.socket = socket;

    socket.on('connect', () => {
      // The server starts a fresh count per connection; so do we.
      this.flow.reset();
    });
    socket.on('session', ({ sessionId, reattached }) => {
      this.sessions.set(this.target, sessionId);
      if (!reattached) this.term.reset();
      this.setStatus({ phase: 'connected', detail: undefined, problem: undefined, everAttached: true });
      if (this.pendingInput) {
        const held = this.pendingInput;
        this.pendingInput = '';
        socket.emit('input', held);
      }
    });
    socket.on('snapshot', (data) => {
      // The snapshot is the whole screen and scrollback; replace, don't append.
      this.term.reset();
      this.term.write(data);
    });
    socket.on('output', (data) => {
      this.term.write(data, () => this.flow.parsed(data.length));
    });
    socket.on('exit', ({ code, signal }) => {
      this.sessions.forget(this.target);
      const how = signal !== null ? `signal ${signal}` : `code ${code ?? '?'}`;
      this.term.write(`\r\n\x1b[2m[The shell exited (${how}). Press any key to start a new one.]\x1b[0m\r\n`);
      this.setStatus({ phase: 'exited', detail: `The shell exited (${how}).` });
    });
    socket.on('problem', (message) => {
      this.setStatus({ problem: message });
    });
    socket.on('connect_error', (error) => {
      if (socket.active) {
        // Transport trouble (server restarting): socket.io retries by itself.
        this.setStatus({ phase: this.statusValue.everAttached ? 'reconnecting' : 'connecting', detail: error.message });
        return;
      }
      // The server's middleware said no. A stale session id (server restarted,
      // shell reaped) is the likely cause once; retry once without it.
      if (this.sessions.get(this.target) !== undefined) {
        this.sessions.forget(this.target);
        socket.connect();
        return;
      }
      this.setStatus({ phase: 'failed', detail: error.message });
    });
    socket.on('disconnect', (reason) => {
      if (this.statusValue.phase === 'exited') return;
      if (socket.active) {
        this.setStatus({ phase: 'reconnecting', detail: `Connection lost (${reason}).` });
      } else if (reason === 'io server disconnect') {
        this.setStatus({ phase: 'failed', detail: 'The server closed this terminal.' });
      }
    });
  }

  /** After an exit: forget the old session and attach to a fresh shell. */
  private startNewShell(): void {
    this.sessions.forget(this.target);
    this.setStatus({ phase: 'connecting', detail: undefined });
    this.socket?.disconnect();
    this.socket?.connect();
  }

  private scheduleFit(): void {
    if (this.fitFrame !== undefined) return;
    this.fitFrame = window.requestAnimationFrame(() => {
      this.fitFrame = undefined;
      this.fit();
    });
  }

  private scheduleResize(cols: number, rows: number): void {
    window.clearTimeout(this.resizeTimer);
    this.resizeTimer = window.setTimeout(() => {
      if (this.socket?.connected) this.socket.emit('resize', { cols, rows });
    }, RESIZE_DEBOUNCE_MS);
  }

  private setStatus(change: Partial<ConnectionStatus>): void {
    this.statusValue = { ...this.statusValue, ...change };
    for (const listener of this.listeners) listener();
  }
}
