import { describe, expect, it } from 'vitest';
import { AckCounter } from './ack-counter.js';

describe('AckCounter', () => {
  it('acknowledges in batches of at least ackEvery characters, with the exact count', () => {
    const acks: number[] = [];
    const counter = new AckCounter(5_000, (n) => acks.push(n));
    counter.parsed(3_000);
    expect(acks).toEqual([]);
    counter.parsed(2_500);
    expect(acks).toEqual([5_500]);
    counter.parsed(4_999);
    expect(acks).toEqual([5_500]);
    counter.reset();
    counter.parsed(1);
    expect(acks).toEqual([5_500]);
  });
});
