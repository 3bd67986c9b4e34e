// The headless xterm.js mirror of a terminal, parsed on a worker thread
// (mirror-worker.mjs) so a flood never stalls the server's event loop. One
// worker serves every terminal of the process; writes are coalesced into
// messages of up to 64 KiB. All operations are ordered: a snapshot reflects
// exactly the writes made before it was asked for.
import { Worker } from 'node:worker_threads';
import type { TerminalSize } from './terminal-session.js';

/** Largest write message posted to the worker. */
const WRITE_MESSAGE_CHARS = 65_536;

type ToWorker =
  | { type: 'open'; id: string; cols: number; rows: number; scrollback: number }
  | { type: 'write'; id: string; data: string }
  | { type: 'resize'; id: string; cols: number; rows: number }
  | { type: 'snapshot'; id: string; request: number; serialize: boolean; scrollback: number }
  | { type: 'close'; id: string };

type FromWorker =
  | { type: 'parsed'; id: string; chars: number; skipped?: boolean }
  | { type: 'snapshot'; id: string; request: number; data: string };

function isFromWorker(value: unknown): value is FromWorker {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  if (typeof message.id !== 'string') return false;
  if (message.type === 'parsed') return typeof message.chars === 'number';
  if (message.type === 'snapshot') return typeof message.request === 'number' && typeof message.data === 'string';
  return false;
}

export interface MirrorOptions {
  id: string;
  size: TerminalSize;
  scrollback: number;
  /**
   * Characters the mirror is done with (for backpressure); `skipped` when
   * the plain-text fast path dropped them unparsed (see mirror-worker.mjs).
   */
  onParsed: (chars: number, skipped: boolean) => void;
}

export interface TerminalMirror {
  write(data: string): void;
  resize(size: TerminalSize): void;
  /** serialize() of screen and scrollback, after every earlier write. */
  snapshot(): Promise<string>;
  /** Resolves once every earlier write is parsed. */
  settled(): Promise<void>;
  dispose(): void;
}

/** Owns the worker thread; mirrors are cheap handles onto it. */
export class MirrorHost {
  private worker: Worker | null = null;
  private nextRequest = 1;
  private readonly requests = new Map<number, (data: string) => void>();
  private readonly parsedListeners = new Map<string, (chars: number, skipped: boolean) => void>();

  open(options: MirrorOptions): TerminalMirror {
    this.parsedListeners.set(options.id, options.onParsed);
    this.post({
      type: 'open',
      id: options.id,
      cols: options.size.cols,
      rows: options.size.rows,
      scrollback: options.scrollback,
    });
    return new WorkerMirror(this, options.id, options.scrollback);
  }

  /** @internal */
  post(message: ToWorker): void {
    this.ensureWorker().postMessage(message);
  }

  /** @internal */
  request(message: (request: number) => ToWorker): Promise<string> {
    const request = this.nextRequest++;
    return new Promise((resolve) => {
      this.requests.set(request, resolve);
      this.post(message(request));
    });
  }

  /** @internal */
  forget(id: string): void {
    this.parsedListeners.delete(id);
  }

  /** Stop the worker (tests; the process exits fine without this, the worker is unref'd). */
  async terminate(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./mirror-worker.mjs', import.meta.url));
    // Idle mirrors must not keep the process alive.
    worker.unref();
    worker.on('message', (message: unknown) => {
      if (!isFromWorker(message)) return;
      if (message.type === 'parsed') {
        this.parsedListeners.get(message.id)?.(message.chars, message.skipped === true);
      } else {
        const resolve = this.requests.get(message.request);
        this.requests.delete(message.request);
        resolve?.(message.data);
      }
    });
    const fail = (): void => {
      if (this.worker !== worker) return;
      // Losing the mirrors costs replay after a reload, not the shells: answer
      // what is pending with empty snapshots and start afresh on next use.
      this.worker = null;
      for (const resolve of this.requests.values()) resolve('');
      this.requests.clear();
      for (const listener of this.parsedListeners.values()) listener(Number.MAX_SAFE_INTEGER, false);
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    this.worker = worker;
    return worker;
  }
}

class WorkerMirror implements TerminalMirror {
  private pending = '';
  private scheduled: NodeJS.Immediate | null = null;
  private disposed = false;

  constructor(
    private readonly host: MirrorHost,
    private readonly id: string,
    private readonly scrollback: number,
  ) {}

  write(data: string): void {
    if (this.disposed || data.length === 0) return;
    this.pending += data;
    if (this.pending.length >= WRITE_MESSAGE_CHARS) this.flush();
    else this.scheduled ??= setImmediate(() => this.flush());
  }

  resize(size: TerminalSize): void {
    if (this.disposed) return;
    this.flush();
    this.host.post({ type: 'resize', id: this.id, cols: size.cols, rows: size.rows });
  }

  snapshot(): Promise<string> {
    return this.barrier(true);
  }

  async settled(): Promise<void> {
    await this.barrier(false);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.scheduled) clearImmediate(this.scheduled);
    this.pending = '';
    this.host.forget(this.id);
    this.host.post({ type: 'close', id: this.id });
  }

  private barrier(serialize: boolean): Promise<string> {
    if (this.disposed) return Promise.resolve('');
    this.flush();
    return this.host.request((request) => ({
      type: 'snapshot',
      id: this.id,
      request,
      serialize,
      scrollback: this.scrollback,
    }));
  }

  private flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    while (this.pending.length > 0) {
      const data =
        this.pending.length > WRITE_MESSAGE_CHARS ? this.pending.slice(0, WRITE_MESSAGE_CHARS) : this.pending;
      this.pending = this.pending.slice(data.length);
      this.host.post({ type: 'write', id: this.id, data });
    }
  }
}

let shared: MirrorHost | null = null;

/** The process-wide mirror host (one worker thread for all terminals). */
export function sharedMirrorHost(): MirrorHost {
  shared ??= new MirrorHost();
  return shared;
}
