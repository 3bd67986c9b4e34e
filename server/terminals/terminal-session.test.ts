// TerminalSession with a real PTY running the local-shell stand-in's bash.
import { afterEach, describe, expect, it } from 'vitest';
import { LocalShellStandInProvider } from '../cluster/local-shell-stand-in.js';
import { TerminalSession, type TerminalExit, type TerminalViewer } from './terminal-session.js';

const provider = new LocalShellStandInProvider();
const sessions: TerminalSession[] = [];

class RecordingViewer implements TerminalViewer {
  snapshots: string[] = [];
  text = '';
  exitInfo: TerminalExit | null = null;
  displacedCount = 0;
  snapshot(data: string): void {
    this.snapshots.push(data);
  }
  output(data: string): void {
    this.text += data;
  }
  exit(info: TerminalExit): void {
    this.exitInfo = info;
  }
  displaced(): void {
    this.displacedCount += 1;
  }
}

function open(size = { cols: 80, rows: 24 }): TerminalSession {
  const session = new TerminalSession({ target: 'worker', command: provider.nodeShellCommand('worker'), size });
  sessions.push(session);
  return session;
}

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

afterEach(() => {
  for (const session of sessions.splice(0)) session.dispose();
});

describe('TerminalSession (local-shell stand-in)', () => {
  it('has a random id of at least 128 bits in base64url', () => {
    const a = open();
    const b = open();
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(Buffer.from(a.id, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect(a.id).not.toBe(b.id);
  });

  it('keeps a stream in large messages while a fast page acks every one', async () => {
    // A page that parses instantly and acks each message at once: acks must
    // not flush the batch early and cut the stream into small messages
    // (each costs the page a decode, a parse call and an ack).
    const session = open();
    let messages = 0;
    let chars = 0;
    let done = false;
    const viewer: TerminalViewer = {
      snapshot: () => undefined,
      output: (data) => {
        messages += 1;
        chars += data.length;
        if (data.includes('flood-done-42')) done = true;
        setImmediate(() => session.ack(viewer, data.length));
      },
      exit: () => undefined,
      displaced: () => undefined,
    };
    session.attach(viewer);
    await new Promise((resolve) => setTimeout(resolve, 300));
    messages = 0;
    chars = 0;
    session.input(viewer, 'head -c 6000000 /dev/urandom | base64; echo flood-done-$((6*7))\r');
    await until(() => done, 'the end of the flood', 30_000);
    const average = chars / messages;
    expect(chars).toBeGreaterThan(8_000_000);
    expect(average, `${messages} messages for ${chars} characters`).toBeGreaterThan(20_000);
  });

  it('keeps draining into the mirror while detached, so the shell never blocks', async () => {
    const session = open();
    const early = new RecordingViewer();
    session.attach(early);
    await until(() => early.text.includes('# '), 'the prompt');
    session.detach(early);
    // ~230 kB while nobody watches: well beyond what a PTY buffers, so this
    // only finishes if the session keeps reading.
    session.input(early, 'ignored-after-detach\r'); // a detached viewer cannot type
    const typer = new RecordingViewer();
    session.attach(typer);
    session.input(typer, 'seq 1 40000; echo drained-$((6*7))\r');
    session.detach(typer);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const late = new RecordingViewer();
    session.attach(late);
    await until(() => late.snapshots.length === 1, 'the snapshot');
    await until(() => (late.snapshots[0] + late.text).includes('drained-42'), 'the tail of the output', 15_000);
    expect(late.snapshots[0]).not.toContain('ignored-after-detach');
    expect(early.text).not.toContain('ignored-after-detach');
  });

  it('replays the last 5000 lines after a plain-text flood (the mirror skips what scrolls away)', async () => {
    const session = open();
    const viewer = new RecordingViewer();
    session.attach(viewer);
    await until(() => viewer.text.includes('# '), 'the prompt');
    session.detach(viewer);
    const typer = new RecordingViewer();
    session.attach(typer);
    session.input(typer, 'for i in $(seq 1 20000); do echo "line-$i-of-the-flood"; done; echo flood-$((3*7))-done\r');
    session.detach(typer);
    // Poll: attach, look at the snapshot, detach, until the flood is over.
    for (let attempt = 0; attempt < 60; attempt++) {
      const probe = new RecordingViewer();
      session.attach(probe);
      await until(() => probe.snapshots.length === 1, 'a snapshot');
      session.detach(probe);
      const snapshot = probe.snapshots[0] ?? '';
      if (snapshot.includes('flood-21-done')) {
        expect(snapshot).toContain('line-20000-of-the-flood');
        expect(snapshot).toContain('line-16000-of-the-flood');
        expect(snapshot).not.toContain('line-14000-of-the-flood');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error('the flood never finished');
  });

  it('sends the snapshot before any live output, with no gap between them', async () => {
    const session = open();
    const viewer = new RecordingViewer();
    session.attach(viewer);
    session.input(viewer, 'for i in $(seq 1 2000); do echo line-$i; done\r');
    await new Promise((resolve) => setTimeout(resolve, 30));
    // Reattach mid-stream: snapshot + live must contain every line once, in order.
    const next = new RecordingViewer();
    session.attach(next);
    expect(viewer.displacedCount).toBe(1);
    await until(() => next.text.includes('line-2000') || (next.snapshots[0] ?? '').includes('line-2000'), 'line-2000');
    const combined = (next.snapshots[0] ?? '') + next.text;
    const numbers = [...combined.matchAll(/line-(\d+)\r?\n/g)].map((m) => Number(m[1]));
    const last = numbers.at(-1) ?? 0;
    expect(last).toBe(2000);
    // The tail is contiguous: no line lost or repeated across the seam.
    const tail = numbers.slice(-500);
    tail.forEach((n, i) => expect(n).toBe(last - tail.length + 1 + i));
  });

  it('resizes PTY and mirror together', async () => {
    const session = open({ cols: 80, rows: 24 });
    const viewer = new RecordingViewer();
    session.attach(viewer, { cols: 120, rows: 30 });
    expect(session.currentSize).toEqual({ cols: 120, rows: 30 });
    session.input(viewer, 'stty size\r');
    await until(() => viewer.text.includes('30 120'), 'stty size');
    // A displaced viewer cannot resize.
    const other = new RecordingViewer();
    session.resize(other, { cols: 50, rows: 10 });
    expect(session.currentSize).toEqual({ cols: 120, rows: 30 });
  });

  it('reports exit after the last output', async () => {
    let ended: TerminalExit | null = null;
    const session = new TerminalSession({
      target: 'worker',
      command: provider.nodeShellCommand('worker'),
      size: { cols: 80, rows: 24 },
      onExit: (_s, info) => (ended = info),
    });
    sessions.push(session);
    const viewer = new RecordingViewer();
    session.attach(viewer);
    session.input(viewer, 'echo bye-$((2+3)); exit 7\r');
    await until(() => viewer.exitInfo !== null, 'exit');
    expect(viewer.text).toContain('bye-5');
    expect(viewer.exitInfo).toEqual({ code: 7, signal: null });
    expect(ended).toEqual({ code: 7, signal: null });
    expect(() => session.attach(new RecordingViewer())).toThrow(/closed/);
  });

  it('does not hand the server token to the shell', async () => {
    const previous = process.env.HARDENING_LAB_TOKEN;
    process.env.HARDENING_LAB_TOKEN = 'secret-token-value';
    try {
      const session = open();
      const viewer = new RecordingViewer();
      session.attach(viewer);
      session.input(viewer, 'echo "token=[${HARDENING_LAB_TOKEN:-unset}]"\r');
      await until(() => viewer.text.includes('token=[unset]') || viewer.text.includes('token=[secret'), 'the echo');
      expect(viewer.text).toContain('token=[unset]');
    } finally {
      if (previous === undefined) delete process.env.HARDENING_LAB_TOKEN;
      else process.env.HARDENING_LAB_TOKEN = previous;
    }
  });
});
