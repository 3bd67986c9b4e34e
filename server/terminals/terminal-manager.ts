// Owns every terminal session: creates them on a node, finds them again after
// a page reload, keeps one viewer per session, reaps those nobody came back
// for, and bounds how many exist. Sessions resolve through this server-side
// map only, so an id can never reach a shell on a different target.
import { randomBytes } from 'node:crypto';
import type { ClusterProvider } from '../cluster/provider.js';
import {
  TerminalSession,
  type PtySpawner,
  type TerminalExit,
  type TerminalSize,
  type TerminalViewer,
} from './terminal-session.js';

export interface TerminalManagerOptions {
  provider: ClusterProvider;
  /** A session without a viewer for this long is killed. */
  graceMs: number;
  /** Most sessions alive at once (attached or not). */
  maxSessions: number;
  /**
   * At the limit, a session nobody has watched for this long is closed to
   * make room (the tab that owned it is most likely gone) rather than
   * refusing the new one. Shorter than this, it may be a reload in flight.
   * Default one minute.
   */
  evictDetachedAfterMs?: number;
  /** Injected in tests; node-pty otherwise. */
  spawn?: PtySpawner;
}

export interface OpenTerminalRequest {
  target: string;
  /** From a previous `session` event, when the page reloads. */
  sessionId?: string;
  size: TerminalSize;
}

export interface OpenedTerminal {
  session: TerminalSession;
  /** True when an existing shell was found (the page shows its snapshot). */
  reattached: boolean;
}

/** A message meant for the learner, in plain words. */
export class TerminalError extends Error {
  override readonly name: string = 'TerminalError';
}

export class TerminalLimitError extends TerminalError {
  override readonly name = 'TerminalLimitError';
}

export class UnknownTargetError extends TerminalError {
  override readonly name = 'UnknownTargetError';
}

export class TerminalManager {
  private readonly provider: ClusterProvider;
  private readonly graceMs: number;
  private readonly maxSessions: number;
  private readonly evictDetachedAfterMs: number;
  private readonly spawn: PtySpawner | undefined;
  private readonly sessions = new Map<string, TerminalSession>();
  private readonly reapTimers = new Map<string, NodeJS.Timeout>();
  private disposed = false;
  /** Process name of each session's shell on its node (see ClusterProvider.closeNodeShell). */
  private readonly shellTags = new Map<string, string>();

  constructor(options: TerminalManagerOptions) {
    if (!(options.maxSessions >= 1)) throw new Error('maxSessions must be at least 1');
    if (!(options.graceMs >= 0)) throw new Error('graceMs must not be negative');
    this.provider = options.provider;
    this.graceMs = options.graceMs;
    this.maxSessions = options.maxSessions;
    this.evictDetachedAfterMs = options.evictDetachedAfterMs ?? 60_000;
    this.spawn = options.spawn;
  }

  /** Sessions alive now. */
  get size(): number {
    return this.sessions.size;
  }

  get(sessionId: string): TerminalSession | undefined {
    return this.sessions.get(sessionId);
  }

  list(): TerminalSession[] {
    return [...this.sessions.values()];
  }

  /**
   * The session for `sessionId` if it exists and is on `target`; otherwise a
   * new one. An unknown or foreign id is not an error (the server restarted,
   * the session was reaped, the page kept an old id) — but it never attaches
   * to a shell on another target, and a new session never takes the id the
   * client offered.
   */
  async open(request: OpenTerminalRequest): Promise<OpenedTerminal> {
    this.assertOpen();
    if (request.sessionId !== undefined) {
      const existing = this.sessions.get(request.sessionId);
      if (existing && existing.target === request.target && !existing.exited) {
        return { session: existing, reattached: true };
      }
    }
    const nodes = await this.provider.nodes();
    this.assertOpen();
    if (!nodes.some((node) => node.target === request.target)) {
      const known = nodes.map((node) => node.target).join(', ') || 'none';
      throw new UnknownTargetError(`There is no node called "${request.target}" in the cluster (nodes: ${known}).`);
    }
    // Checked after the await so concurrent opens cannot overshoot the bound.
    if (this.sessions.size >= this.maxSessions) this.evictLongestDetached();
    if (this.sessions.size >= this.maxSessions) {
      throw new TerminalLimitError(
        `Too many terminals are open (${this.maxSessions}). Close a terminal tab you no longer need; ` +
          `terminals nobody is looking at close by themselves after ${describeDuration(this.graceMs)}.`,
      );
    }
    const shellTag = `hardening-lab-term-${randomBytes(12).toString('base64url')}`;
    const session = new TerminalSession({
      target: request.target,
      command: this.provider.nodeShellCommand(request.target, shellTag),
      size: request.size,
      ...(this.spawn ? { spawn: this.spawn } : {}),
      onExit: (ended: TerminalSession, _info: TerminalExit) => this.forget(ended),
    });
    this.sessions.set(session.id, session);
    this.shellTags.set(session.id, shellTag);
    // Nobody watches it yet: if the socket vanishes before attaching, the
    // grace period still applies.
    this.scheduleReap(session);
    return { session, reattached: false };
  }

  /** Show `session` in `viewer`, displacing any previous viewer. */
  attach(session: TerminalSession, viewer: TerminalViewer, size?: TerminalSize): void {
    this.assertOpen();
    this.cancelReap(session);
    session.attach(viewer, size);
  }

  /** The viewer left; the session lives on for the grace period. */
  detach(session: TerminalSession, viewer: TerminalViewer): void {
    if (session.detach(viewer) && this.sessions.has(session.id)) this.scheduleReap(session);
  }

  /** Kill one session now. */
  close(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    this.kill(session);
  }

  /** Kill everything (server shutdown). */
  dispose(): void {
    this.disposed = true;
    for (const session of [...this.sessions.values()]) this.kill(session);
  }

  private kill(session: TerminalSession): void {
    const shellTag = this.shellTags.get(session.id);
    const running = !session.exited;
    this.forget(session);
    session.dispose();
    // The PTY held a `docker exec` client; the shell inside the node outlives it.
    if (running && shellTag && this.provider.closeNodeShell) {
      this.provider.closeNodeShell(session.target, shellTag).catch(() => undefined);
    }
  }

  /** Close the session unwatched the longest, if it has been unwatched long enough. */
  private evictLongestDetached(): void {
    const now = Date.now();
    let oldest: TerminalSession | undefined;
    for (const session of this.sessions.values()) {
      const since = session.detachedAt;
      if (since === null || now - since < this.evictDetachedAfterMs) continue;
      if (!oldest || since < (oldest.detachedAt ?? now)) oldest = session;
    }
    if (oldest) this.close(oldest.id);
  }

  private assertOpen(): void {
    if (this.disposed) throw new TerminalError('The server is shutting down.');
  }

  private forget(session: TerminalSession): void {
    this.cancelReap(session);
    this.sessions.delete(session.id);
    this.shellTags.delete(session.id);
  }

  private scheduleReap(session: TerminalSession): void {
    this.cancelReap(session);
    const timer = setTimeout(() => {
      this.reapTimers.delete(session.id);
      if (!session.attached) this.close(session.id);
    }, this.graceMs);
    // A pending reap must not keep the process (or a test run) alive.
    timer.unref();
    this.reapTimers.set(session.id, timer);
  }

  private cancelReap(session: TerminalSession): void {
    const timer = this.reapTimers.get(session.id);
    if (timer) clearTimeout(timer);
    this.reapTimers.delete(session.id);
  }
}

function describeDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes >= 1) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  return `${Math.max(1, Math.round(ms / 1000))} seconds`;
}
