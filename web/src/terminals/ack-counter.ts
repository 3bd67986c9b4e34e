// The client half of watermark flow control (VS Code's scheme): count the
// characters xterm.js has actually parsed (from term.write's callback) and
// acknowledge them in batches, so the server pauses the PTY when the page
// falls behind instead of flooding it.
export class AckCounter {
  private pending = 0;

  constructor(
    private readonly ackEvery: number,
    private readonly sendAck: (chars: number) => void,
  ) {}

  parsed(chars: number): void {
    this.pending += chars;
    if (this.pending >= this.ackEvery) {
      const chars = this.pending;
      this.pending = 0;
      this.sendAck(chars);
    }
  }

  /** A new connection starts a new count on both sides. */
  reset(): void {
    this.pending = 0;
  }
}
