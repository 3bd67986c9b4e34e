// Test support: a socket.io terminal client that behaves like the page —
// it acknowledges output as a browser would after parsing it — and records
// everything it received, so tests can wait for text and inspect flow control.
import { io, type Socket } from 'socket.io-client';
import { FLOW, TERMINAL_NAMESPACE, type TerminalClientEvents, type TerminalServerEvents } from '../protocol.js';

export type TerminalClientSocket = Socket<TerminalServerEvents, TerminalClientEvents>;

export interface TerminalClientOptions {
  url: string;
  token: string;
  target: string;
  sessionId?: string;
  cols?: number;
  rows?: number;
  /** Acknowledge parsed output like a browser (default true). */
  autoAck?: boolean;
}

export interface SessionInfo {
  sessionId: string;
  target: string;
  reattached: boolean;
}

export class TerminalTestClient {
  readonly socket: TerminalClientSocket;
  readonly session: Promise<SessionInfo>;
  readonly snapshot: Promise<string>;
  readonly problems: string[] = [];
  readonly events: string[] = [];
  /** Everything received as `output`, in order. */
  received = '';
  /** Characters received and not yet acknowledged (what the server should also count). */
  unacked = 0;
  /** The largest `unacked` ever observed. */
  maxUnacked = 0;
  exit: { code: number | null; signal: number | null } | null = null;
  autoAck: boolean;
  private pendingAck = 0;
  private waiters = new Set<() => void>();

  constructor(options: TerminalClientOptions) {
    this.autoAck = options.autoAck ?? true;
    this.socket = io(`${options.url}${TERMINAL_NAMESPACE}`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      // A non-browser client: no Origin, so the token goes in a header.
      extraHeaders: { authorization: `Bearer ${options.token}` },
      auth: {
        target: options.target,
        cols: options.cols ?? 80,
        rows: options.rows ?? 24,
        ...(options.sessionId ? { sessionId: options.sessionId } : {}),
      },
    });
    this.session = new Promise((resolve) => this.socket.once('session', resolve));
    this.snapshot = new Promise((resolve) => this.socket.once('snapshot', resolve));
    this.socket.on('session', () => this.events.push('session'));
    this.socket.on('snapshot', () => this.events.push('snapshot'));
    this.socket.on('output', (data) => {
      if (this.events.at(-1) !== 'output') this.events.push('output');
      this.received += data;
      this.unacked += data.length;
      this.maxUnacked = Math.max(this.maxUnacked, this.unacked);
      this.pendingAck += data.length;
      // A browser acks from term.write's callback, i.e. after parsing: model
      // that as "on a later tick", in chunks of FLOW.ackEvery.
      if (this.autoAck) setImmediate(() => this.flushAcks(false));
      this.wake();
    });
    this.socket.on('problem', (message) => {
      this.problems.push(message);
      this.wake();
    });
    this.socket.on('exit', (info) => {
      this.exit = info;
      this.wake();
    });
    this.socket.on('disconnect', () => this.wake());
  }

  /** Acknowledge what has been "parsed"; `all` also sends a final partial ack. */
  flushAcks(all: boolean): void {
    while (this.pendingAck >= FLOW.ackEvery || (all && this.pendingAck > 0)) {
      const chars = Math.min(this.pendingAck, FLOW.ackEvery);
      this.pendingAck -= chars;
      this.unacked -= chars;
      this.socket.emit('ack', chars);
    }
  }

  send(data: string): void {
    this.socket.emit('input', data);
  }

  /** Resolves with the text received after `from` once it matches. */
  async waitFor(pattern: RegExp | string, options: { timeoutMs?: number; from?: number } = {}): Promise<string> {
    const from = options.from ?? 0;
    const matches = (): boolean => {
      const text = this.received.slice(from);
      return typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
    };
    await this.until(matches, options.timeoutMs ?? 5_000, `output matching ${String(pattern)}`);
    return this.received.slice(from);
  }

  async until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (condition()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        const tail = JSON.stringify(this.received.slice(-300));
        reject(
          new Error(
            `Timed out after ${timeoutMs} ms waiting for ${what}; last output: ${tail}; problems: ${JSON.stringify(this.problems)}`,
          ),
        );
      }, timeoutMs);
      const check = (): void => {
        if (!condition()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  async connectError(timeoutMs = 5_000): Promise<Error> {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('expected connect_error, none came')), timeoutMs);
      this.socket.once('connect_error', (error) => {
        clearTimeout(timer);
        resolve(error);
      });
      this.socket.once('connect', () => {
        clearTimeout(timer);
        reject(new Error('connected, but a connect_error was expected'));
      });
    });
  }

  close(): void {
    this.socket.disconnect();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
