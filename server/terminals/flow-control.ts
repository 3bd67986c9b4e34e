// Watermark flow control (VS Code's scheme). A PTY produces output far faster
// than xterm.js can parse it; without a bound, a flood (`yes`, `cat` of a big
// file) piles megabytes into the socket and the page freezes, and Ctrl-C only
// shows its effect after the backlog is parsed. So we count characters handed
// to a consumer, the consumer acknowledges what it has *parsed*, and the
// producer is paused while too much is in flight.
import { FLOW } from '../protocol.js';

export interface Watermarks {
  /** Pause when more than this many characters are unacknowledged. */
  high: number;
  /** Resume once fewer than this many are unacknowledged. */
  low: number;
}

export interface FlowControlOptions extends Partial<Watermarks> {
  /** Called when the producer must stop (crossed the high mark). */
  onPause: () => void;
  /** Called when the producer may continue (fell below the low mark, or reset). */
  onResume: () => void;
}

export class FlowControl {
  private readonly high: number;
  private readonly low: number;
  private readonly onPause: () => void;
  private readonly onResume: () => void;
  private unacked = 0;
  private paused = false;

  constructor(options: FlowControlOptions) {
    this.high = options.high ?? FLOW.high;
    this.low = options.low ?? FLOW.low;
    // A low mark at or above the high mark would pause and resume on the same
    // count (or never resume), so refuse it rather than oscillate.
    if (!(this.low >= 0 && this.low < this.high)) {
      throw new Error(`Flow control needs 0 <= low < high (got low=${this.low}, high=${this.high})`);
    }
    this.onPause = options.onPause;
    this.onResume = options.onResume;
  }

  /** Characters handed to the consumer and not yet acknowledged. */
  get unacknowledged(): number {
    return this.unacked;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** True while the consumer has room for more (callers hold data back otherwise). */
  get canSend(): boolean {
    return this.unacked <= this.high;
  }

  /**
   * True while below the high mark. A sender that drains a buffer (rather
   * than a producer that is costly to stop and start) may refill on every ack
   * while this holds, so its consumer never runs dry; `isPaused`/`onResume`
   * are the hysteresis for producers.
   */
  get hasRoom(): boolean {
    return this.unacked < this.high;
  }

  /** Record characters handed to the consumer. */
  sent(chars: number): void {
    this.unacked += chars;
    if (!this.paused && this.unacked > this.high) {
      this.paused = true;
      this.onPause();
    }
  }

  /**
   * Record characters the consumer has processed. Acks are deltas; an ack
   * for more than is outstanding (a confused or hostile client, or a client
   * that also counts the snapshot) clamps to zero instead of going negative,
   * which would silently widen the window.
   */
  ack(chars: number): void {
    if (!Number.isFinite(chars) || chars <= 0) return;
    this.unacked = Math.max(0, this.unacked - chars);
    if (this.paused && this.unacked < this.low) {
      this.paused = false;
      this.onResume();
    }
  }

  /** Forget everything in flight (the consumer went away); resume if paused. */
  reset(): void {
    this.unacked = 0;
    if (this.paused) {
      this.paused = false;
      this.onResume();
    }
  }
}
