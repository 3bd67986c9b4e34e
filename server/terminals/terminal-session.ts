// One terminal: a shell on a node under a PTY, plus a headless xterm.js
// mirror of everything it printed (parsed on a worker thread, see
// terminal-mirror.ts). The mirror is what lets a page reload find its shell
// again: on (re)attach the viewer gets `serialize()` of the mirror (screen +
// scrollback), then the live stream continues exactly where the snapshot
// ends. A session is keyed by a random id, never by socket, and keeps
// draining into the mirror while nobody watches, so the shell never blocks
// on a full PTY buffer.
//
// Output to the viewer is bounded by the protocol's window (FLOW.high
// unacknowledged characters, plus at most one batch); the PTY is paused only
// when the server's read-ahead or the mirror is full, so a page that stops
// acking stops the program within a window, a read-ahead and a batch.
import { randomBytes } from 'node:crypto';
import * as nodePty from 'node-pty';
import type { Command } from '../cluster/provider.js';
import { TOKEN_ENV } from '../config.js';
import { FlowControl } from './flow-control.js';
import { sharedMirrorHost, type MirrorHost, type TerminalMirror } from './terminal-mirror.js';

/** Lines of history kept for replay after a reload. */
export const SCROLLBACK_LINES = 5_000;
/** Most characters in one `output` message; also the flow-control overshoot bound. */
export const BATCH_MAX_CHARS = 65_536;
/** How long output is held to coalesce messages while a stream is running. */
export const BATCH_MAX_DELAY_MS = 5;
/**
 * A flush this big means output is streaming: wait for more before the next
 * message. Below it (keystroke echo, a prompt) we send on the next tick, so
 * batching never adds latency to typing.
 */
const STREAMING_CHARS = 1_024;
/**
 * If the mirror (on its worker) falls this far behind — a flood while
 * detached, or more terminals flooding than one core can parse — pause the
 * PTY until it catches up, so a runaway program costs bounded memory
 * instead of an unbounded message queue.
 */
const MIRROR_WATERMARKS = { high: 4_000_000, low: 1_000_000 } as const;
/**
 * Output read from the PTY but held back by the viewer's window. Reading
 * ahead this much keeps a full batch ready for the moment the viewer acks,
 * so the page never idles waiting for the PTY (a bubble per window
 * otherwise); beyond it the PTY is paused, which is what finally stops the
 * program. One batch is enough: more would only lengthen what the page must
 * still parse after a Ctrl-C.
 */
const READ_AHEAD_WATERMARKS = { high: BATCH_MAX_CHARS, low: BATCH_MAX_CHARS / 2 } as const;

export interface TerminalSize {
  cols: number;
  rows: number;
}

export interface TerminalExit {
  code: number | null;
  signal: number | null;
}

/** Whoever currently shows the session (in practice: one socket). */
export interface TerminalViewer {
  /** The serialized mirror; always the first thing a viewer receives. */
  snapshot(data: string): void;
  output(data: string): void;
  exit(info: TerminalExit): void;
  /** Another viewer took this session over; this one gets nothing more. */
  displaced(): void;
}

/** The subset of node-pty the session uses, so tests can inject a fake. */
export interface PtyProcess {
  onData(listener: (data: string) => void): { dispose(): void };
  onExit(listener: (event: { exitCode: number; signal?: number }) => void): { dispose(): void };
  write(data: string): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  kill(signal?: string): void;
}

export type PtySpawner = (command: Command, size: TerminalSize) => PtyProcess;

/** node-pty with an argv array (never a shell string) and a scrubbed environment. */
export const spawnNodePty: PtySpawner = (command, size) => {
  // The shell belongs to the learner (and, with a local provider, to anything
  // they run): it has no business seeing the server's auth token.
  const env = Object.fromEntries(
    Object.entries({ ...process.env, ...command.env }).filter(([name]) => name !== TOKEN_ENV),
  );
  return nodePty.spawn(command.file, command.args, {
    name: 'xterm-256color',
    cols: size.cols,
    rows: size.rows,
    cwd: command.cwd ?? process.cwd(),
    env,
  });
};

/** ≥ 128 random bits (144), base64url: matches the protocol's sessionId pattern. */
export function newSessionId(): string {
  return randomBytes(18).toString('base64url');
}

export interface TerminalSessionOptions {
  target: string;
  command: Command;
  size: TerminalSize;
  spawn?: PtySpawner;
  /** Where the mirror is parsed; the process-wide worker by default. */
  mirrorHost?: MirrorHost;
  /** Called once the shell has exited and its last output was delivered. */
  onExit?: (session: TerminalSession, info: TerminalExit) => void;
}

export class TerminalSession {
  readonly id = newSessionId();
  readonly target: string;
  readonly createdAt = Date.now();

  private readonly pty: PtyProcess;
  private readonly mirror: TerminalMirror;
  /** Characters sent to the viewer and not yet acked: gates sending (protocol FLOW marks). */
  private readonly viewerFlow: FlowControl;
  /** Characters read for the viewer and not yet sent: gates the PTY. */
  private readonly readAhead: FlowControl;
  /** Characters written to the mirror and not yet parsed: gates the PTY. */
  private readonly mirrorFlow: FlowControl;
  private readonly onExitCallback: TerminalSessionOptions['onExit'];

  private size: TerminalSize;
  private viewer: TerminalViewer | null = null;
  /** False between attach and the snapshot: output is held so it follows the snapshot. */
  private live = false;
  /** Output read from the PTY and not yet sent to the viewer. */
  private batch = '';
  private flushTimer: NodeJS.Timeout | null = null;
  private flushImmediate: NodeJS.Immediate | null = null;
  private lastFlushAt = 0;
  private lastFlushChars = 0;
  private ptyPaused = false;
  private exitInfo: TerminalExit | null = null;
  private disposed = false;
  private detachedSince: number | null = Date.now();
  /** Tells a snapshot that arrives late which attach it belongs to. */
  private attachCount = 0;

  constructor(options: TerminalSessionOptions) {
    this.target = options.target;
    this.size = { ...options.size };
    this.onExitCallback = options.onExit;
    // Sending stops at the high mark and restarts with every ack that makes
    // room; the PTY itself is paused by the read-ahead below, not by this.
    this.viewerFlow = new FlowControl({ onPause: () => undefined, onResume: () => undefined });
    this.readAhead = new FlowControl({
      ...READ_AHEAD_WATERMARKS,
      onPause: () => this.updatePause(),
      onResume: () => this.updatePause(),
    });
    this.mirrorFlow = new FlowControl({
      ...MIRROR_WATERMARKS,
      onPause: () => this.updatePause(),
      onResume: () => this.updatePause(),
    });

    this.mirror = (options.mirrorHost ?? sharedMirrorHost()).open({
      id: this.id,
      size: this.size,
      scrollback: SCROLLBACK_LINES,
      onParsed: (chars) => this.mirrorFlow.ack(chars),
    });
    this.pty = (options.spawn ?? spawnNodePty)(options.command, this.size);
    this.pty.onData((data) => this.onPtyData(data));
    this.pty.onExit(({ exitCode, signal }) => this.onPtyExit({ code: exitCode, signal: signal ? signal : null }));
  }

  get attached(): boolean {
    return this.viewer !== null;
  }

  /** When the last viewer left (or the session was created), null while watched. */
  get detachedAt(): number | null {
    return this.detachedSince;
  }

  get exited(): TerminalExit | null {
    return this.exitInfo;
  }

  /** Characters sent to the viewer and not yet acknowledged (for tests and metrics). */
  get unacknowledged(): number {
    return this.viewerFlow.unacknowledged;
  }

  get currentSize(): TerminalSize {
    return { ...this.size };
  }

  /**
   * Show this session in `viewer`: it receives the snapshot, then live
   * output. A previous viewer is displaced (one viewer at a time, so two tabs
   * never fight over size and flow control).
   */
  attach(viewer: TerminalViewer, size?: TerminalSize): void {
    if (this.disposed) throw new Error('This terminal has been closed.');
    const previous = this.viewer;
    this.releaseViewer();
    previous?.displaced();
    this.viewer = viewer;
    this.detachedSince = null;
    if (size) this.resize(viewer, size);
    const attachment = ++this.attachCount;
    // The snapshot holds exactly what was read before this point; anything
    // read afterwards is held in `batch` and sent right after it — no gap,
    // no repeat.
    void this.mirror.snapshot().then((snapshot) => {
      if (this.viewer !== viewer || this.attachCount !== attachment || this.disposed) return;
      viewer.snapshot(snapshot);
      this.live = true;
      this.flush();
      if (this.exitInfo) this.finishExit(this.exitInfo);
    });
  }

  /** The viewer went away; the shell keeps running. Returns false if it was not the viewer. */
  detach(viewer: TerminalViewer): boolean {
    if (this.viewer !== viewer) return false;
    this.releaseViewer();
    this.detachedSince = Date.now();
    return true;
  }

  input(viewer: TerminalViewer, data: string): void {
    if (this.viewer !== viewer || this.exitInfo || this.disposed) return;
    this.pty.write(data);
  }

  ack(viewer: TerminalViewer, chars: number): void {
    if (this.viewer !== viewer || !this.live) return;
    this.viewerFlow.ack(chars);
    // Output held back by a full window: refill it at once rather than let
    // the page drain. With a flush already scheduled the data is still being
    // coalesced; flushing on every ack would cut a stream into small
    // messages, each costing the page a decode, a parse call and an ack.
    if (this.batch.length > 0 && !this.flushTimer && !this.flushImmediate) this.flush();
  }

  resize(viewer: TerminalViewer, size: TerminalSize): void {
    if (this.viewer !== viewer || this.exitInfo || this.disposed) return;
    if (size.cols === this.size.cols && size.rows === this.size.rows) return;
    this.size = { ...size };
    // Mirror and PTY change together so the replayed screen matches what the
    // shell believes its size is.
    this.mirror.resize(size);
    try {
      this.pty.resize(size.cols, size.rows);
    } catch {
      // The PTY can close between the exit and our noticing it; nothing to resize then.
    }
  }

  /** Kill the shell and free the mirror. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clearFlushTimers();
    this.viewer = null;
    this.batch = '';
    if (!this.exitInfo) {
      try {
        this.pty.kill();
      } catch {
        // Already gone.
      }
    }
    this.mirror.dispose();
  }

  private releaseViewer(): void {
    this.viewer = null;
    this.live = false;
    this.batch = '';
    this.clearFlushTimers();
    // Whatever was in flight to the old viewer will never be acked.
    this.viewerFlow.reset();
    this.readAhead.reset();
  }

  private onPtyData(data: string): void {
    if (this.disposed) return;
    this.mirrorFlow.sent(data.length);
    this.mirror.write(data);
    // Detached: the mirror has it, and nobody else needs it.
    if (!this.viewer) return;
    this.batch += data;
    this.readAhead.sent(data.length);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (!this.live) return;
    if (this.batch.length >= BATCH_MAX_CHARS) {
      this.flush();
      return;
    }
    if (this.flushTimer || this.flushImmediate) return;
    const streaming =
      this.lastFlushChars >= STREAMING_CHARS && performance.now() - this.lastFlushAt < 2 * BATCH_MAX_DELAY_MS;
    if (streaming) {
      this.flushTimer = setTimeout(() => this.flush(), BATCH_MAX_DELAY_MS);
    } else {
      this.flushImmediate = setImmediate(() => this.flush());
    }
  }

  /** Send held output in slices the flow control allows; the rest waits for acks. */
  private flush(): void {
    this.clearFlushTimers();
    const viewer = this.viewer;
    if (!viewer || !this.live) return;
    let sentChars = 0;
    while (this.batch.length > 0 && this.viewerFlow.hasRoom) {
      const slice = this.batch.length > BATCH_MAX_CHARS ? this.batch.slice(0, BATCH_MAX_CHARS) : this.batch;
      this.batch = this.batch.slice(slice.length);
      this.viewerFlow.sent(slice.length);
      sentChars += slice.length;
      viewer.output(slice);
      this.readAhead.ack(slice.length);
    }
    if (sentChars > 0) {
      this.lastFlushAt = performance.now();
      this.lastFlushChars = sentChars;
    }
  }

  private updatePause(): void {
    if (this.disposed || this.exitInfo) return;
    const wanted = this.readAhead.isPaused || this.mirrorFlow.isPaused;
    if (wanted === this.ptyPaused) return;
    this.ptyPaused = wanted;
    if (wanted) this.pty.pause();
    else this.pty.resume();
  }

  private clearFlushTimers(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.flushImmediate) clearImmediate(this.flushImmediate);
    this.flushTimer = null;
    this.flushImmediate = null;
  }

  private onPtyExit(info: TerminalExit): void {
    if (this.exitInfo) return;
    this.exitInfo = info;
    if (this.disposed) return;
    // Let the mirror catch up so a reattach in the meantime sees the last lines.
    void this.mirror.settled().then(() => {
      if (this.disposed) return;
      if (this.viewer && !this.live) return; // attach() finishes the exit after its snapshot.
      this.finishExit(info);
    });
  }

  private finishExit(info: TerminalExit): void {
    const viewer = this.viewer;
    if (viewer && this.live) {
      // The shell is gone, nothing left to throttle: deliver the tail.
      while (this.batch.length > 0) {
        const slice = this.batch.slice(0, BATCH_MAX_CHARS);
        this.batch = this.batch.slice(slice.length);
        viewer.output(slice);
      }
      viewer.exit(info);
    }
    this.onExitCallback?.(this, info);
    this.dispose();
  }
}
