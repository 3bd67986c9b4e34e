// TerminalManager with a fake PTY: lifecycle rules without real shells.
import { afterEach, describe, expect, it } from 'vitest';
import { LocalShellStandInProvider } from '../cluster/local-shell-stand-in.js';
import type { Command } from '../cluster/provider.js';
import { TerminalLimitError, TerminalManager, UnknownTargetError } from './terminal-manager.js';
import type { PtyProcess, TerminalExit, TerminalSize, TerminalViewer } from './terminal-session.js';

class FakePty implements PtyProcess {
  killed = false;
  paused = false;
  written = '';
  private dataListeners: ((data: string) => void)[] = [];
  private exitListeners: ((event: { exitCode: number; signal?: number }) => void)[] = [];
  constructor(
    readonly command: Command,
    public size: TerminalSize,
  ) {}
  onData(listener: (data: string) => void) {
    this.dataListeners.push(listener);
    return { dispose: () => undefined };
  }
  onExit(listener: (event: { exitCode: number; signal?: number }) => void) {
    this.exitListeners.push(listener);
    return { dispose: () => undefined };
  }
  write(data: string): void {
    this.written += data;
  }
  resize(cols: number, rows: number): void {
    this.size = { cols, rows };
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  kill(): void {
    this.killed = true;
  }
  emitData(data: string): void {
    for (const listener of this.dataListeners) listener(data);
  }
  emitExit(exitCode: number): void {
    for (const listener of this.exitListeners) listener({ exitCode });
  }
}

const viewer = (): TerminalViewer & { displaced: () => void; displacedCount: number } => {
  const v = {
    displacedCount: 0,
    snapshot: (_data: string) => undefined,
    output: (_data: string) => undefined,
    exit: (_info: TerminalExit) => undefined,
    displaced: () => {
      v.displacedCount += 1;
    },
  };
  return v;
};

const size = { cols: 80, rows: 24 };
const managers: TerminalManager[] = [];

function create(options: { graceMs?: number; maxSessions?: number; evictDetachedAfterMs?: number } = {}) {
  const ptys: FakePty[] = [];
  const manager = new TerminalManager({
    provider: new LocalShellStandInProvider(),
    graceMs: options.graceMs ?? 60_000,
    maxSessions: options.maxSessions ?? 4,
    ...(options.evictDetachedAfterMs !== undefined ? { evictDetachedAfterMs: options.evictDetachedAfterMs } : {}),
    spawn: (command, initial) => {
      const pty = new FakePty(command, initial);
      ptys.push(pty);
      return pty;
    },
  });
  managers.push(manager);
  return { manager, ptys };
}

afterEach(() => {
  for (const manager of managers.splice(0)) manager.dispose();
});

describe('TerminalManager (local-shell stand-in, fake PTY)', () => {
  it("spawns the provider's node shell command as an argv array", async () => {
    const { manager, ptys } = create();
    const { session, reattached } = await manager.open({ target: 'worker', size });
    expect(reattached).toBe(false);
    expect(session.target).toBe('worker');
    expect(ptys[0]?.command).toMatchObject({ file: 'bash', args: ['--noprofile', '--norc', '-i'] });
  });

  it('reattaches by id on the same target only', async () => {
    const { manager } = create();
    const { session } = await manager.open({ target: 'worker', size });
    const again = await manager.open({ target: 'worker', sessionId: session.id, size });
    expect(again).toEqual({ session, reattached: true });
    const other = await manager.open({ target: 'control-plane', sessionId: session.id, size });
    expect(other.reattached).toBe(false);
    expect(other.session).not.toBe(session);
    const unknown = await manager.open({ target: 'worker', sessionId: 'x'.repeat(24), size });
    expect(unknown.reattached).toBe(false);
    expect(unknown.session.id).not.toBe('x'.repeat(24));
    expect(manager.size).toBe(3);
  });

  it('refuses a target that is not a node', async () => {
    const { manager } = create();
    await expect(manager.open({ target: 'database', size })).rejects.toBeInstanceOf(UnknownTargetError);
  });

  it('bounds the number of sessions, counting concurrent opens', async () => {
    const { manager } = create({ maxSessions: 2 });
    const results = await Promise.allSettled([1, 2, 3].map(() => manager.open({ target: 'worker', size })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.status === 'rejected' && rejected.reason).toBeInstanceOf(TerminalLimitError);
    expect(manager.size).toBe(2);
  });

  it('at the limit, closes the session unwatched the longest instead of refusing', async () => {
    const { manager, ptys } = create({ maxSessions: 2, evictDetachedAfterMs: 50 });
    const watched = await manager.open({ target: 'worker', size });
    manager.attach(watched.session, viewer());
    const abandoned = await manager.open({ target: 'worker', size }); // never attached: detached since creation
    await new Promise((resolve) => setTimeout(resolve, 80));
    const fresh = await manager.open({ target: 'control-plane', size });
    expect(manager.get(abandoned.session.id)).toBeUndefined();
    expect(ptys[1]?.killed).toBe(true);
    expect(manager.get(watched.session.id)).toBe(watched.session);
    expect(manager.get(fresh.session.id)).toBe(fresh.session);
    // A session detached only briefly (a reload in flight) is not taken.
    await expect(manager.open({ target: 'worker', size })).rejects.toBeInstanceOf(TerminalLimitError);
  });

  it('keeps one viewer per session: a new attach displaces the old', async () => {
    const { manager } = create();
    const { session } = await manager.open({ target: 'worker', size });
    const first = viewer();
    const second = viewer();
    manager.attach(session, first);
    manager.attach(session, second);
    expect(first.displacedCount).toBe(1);
    expect(second.displacedCount).toBe(0);
    // The displaced viewer's late disconnect must not detach the new one.
    manager.detach(session, first);
    expect(session.attached).toBe(true);
  });

  it('reaps sessions detached longer than the grace period and kills their shell', async () => {
    const { manager, ptys } = create({ graceMs: 50 });
    const { session } = await manager.open({ target: 'worker', size });
    const v = viewer();
    manager.attach(session, v);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(manager.get(session.id)).toBe(session); // attached: kept
    manager.detach(session, v);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(manager.get(session.id)).toBeUndefined();
    expect(ptys[0]?.killed).toBe(true);
  });

  it('reaps a session whose page never attached', async () => {
    const { manager } = create({ graceMs: 30 });
    const { session } = await manager.open({ target: 'worker', size });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(manager.get(session.id)).toBeUndefined();
  });

  it('forgets a session whose shell exited', async () => {
    const { manager, ptys } = create();
    const { session } = await manager.open({ target: 'worker', size });
    ptys[0]?.emitExit(0);
    // The exit waits for the mirror (a worker round trip) before it is final.
    await expect.poll(() => manager.get(session.id), { timeout: 5_000 }).toBeUndefined();
    const fresh = await manager.open({ target: 'worker', sessionId: session.id, size });
    expect(fresh.reattached).toBe(false);
  });

  it('dispose kills every shell and refuses new ones', async () => {
    const { manager, ptys } = create();
    await manager.open({ target: 'worker', size });
    await manager.open({ target: 'control-plane', size });
    manager.dispose();
    expect(ptys.map((p) => p.killed)).toEqual([true, true]);
    expect(manager.size).toBe(0);
    await expect(manager.open({ target: 'worker', size })).rejects.toThrow(/shutting down/);
  });

  it('pauses the PTY when the viewer stops acking and resumes when it detaches', async () => {
    const { manager, ptys } = create();
    const { session } = await manager.open({ target: 'worker', size });
    const v = viewer();
    manager.attach(session, v);
    await new Promise((resolve) => setTimeout(resolve, 10)); // snapshot barrier
    const pty = ptys[0];
    if (!pty) throw new Error('no pty');
    // Beyond the window (100k), one batch and the read-ahead (64k each).
    for (let i = 0; i < 100; i++) pty.emitData('x'.repeat(4096));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pty.paused).toBe(true);
    manager.detach(session, v);
    expect(pty.paused).toBe(false);
  });
});

/** Records the shell tags a node shell is started under and closed with. */
class ShellTagRecordingStandIn extends LocalShellStandInProvider {
  started: string[] = [];
  closed: string[] = [];
  override nodeShellCommand(target: string, shellTag?: string): Command {
    if (shellTag) this.started.push(`${target}/${shellTag}`);
    return super.nodeShellCommand(target);
  }
  async closeNodeShell(target: string, shellTag: string): Promise<void> {
    this.closed.push(`${target}/${shellTag}`);
  }
}

describe('node shells outlive their docker exec client', () => {
  it('asks the provider to end the tagged shell when a running session is closed, reaped or disposed', async () => {
    const provider = new ShellTagRecordingStandIn();
    const manager = new TerminalManager({
      provider,
      graceMs: 60_000,
      maxSessions: 4,
      spawn: (command, initial) => new FakePty(command, initial),
    });
    managers.push(manager);
    const first = await manager.open({ target: 'worker', size });
    const second = await manager.open({ target: 'control-plane', size });
    expect(provider.started).toHaveLength(2);
    expect(provider.started[0]).toMatch(/^worker\/hardening-lab-term-[A-Za-z0-9_-]{16}$/);
    manager.close(first.session.id);
    expect(provider.closed).toEqual([provider.started[0]]);
    manager.dispose();
    expect(provider.closed).toEqual(provider.started);
    expect(second.session.exited).toBeNull();
  });

  it('does not chase a shell that already exited', async () => {
    const provider = new ShellTagRecordingStandIn();
    const ptys: FakePty[] = [];
    const manager = new TerminalManager({
      provider,
      graceMs: 60_000,
      maxSessions: 4,
      spawn: (command, initial) => {
        const pty = new FakePty(command, initial);
        ptys.push(pty);
        return pty;
      },
    });
    managers.push(manager);
    await manager.open({ target: 'worker', size });
    ptys[0]?.emitExit(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    manager.dispose();
    expect(provider.closed).toEqual([]);
  });
});
