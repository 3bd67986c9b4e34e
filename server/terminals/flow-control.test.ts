import { describe, expect, it } from 'vitest';
import { FLOW } from '../protocol.js';
import { FlowControl } from './flow-control.js';

function recorder(marks?: { high: number; low: number }) {
  const events: string[] = [];
  const flow = new FlowControl({
    ...marks,
    onPause: () => events.push('pause'),
    onResume: () => events.push('resume'),
  });
  return { flow, events };
}

describe('FlowControl', () => {
  it('uses the protocol watermarks by default, with the ack size within the low mark', () => {
    const { flow, events } = recorder();
    flow.sent(FLOW.high);
    expect(events).toEqual([]);
    flow.sent(1);
    expect(events).toEqual(['pause']);
    expect(FLOW.ackEvery).toBeLessThanOrEqual(FLOW.low);
  });

  it('pauses once above the high mark and resumes only below the low mark', () => {
    const { flow, events } = recorder({ high: 100, low: 10 });
    flow.sent(60);
    flow.sent(60);
    expect(flow.isPaused).toBe(true);
    flow.sent(60); // still paused: no second pause call
    expect(events).toEqual(['pause']);
    flow.ack(150); // 30 left: between the marks, stays paused
    expect(flow.unacknowledged).toBe(30);
    expect(flow.isPaused).toBe(true);
    flow.ack(25); // 5 < low
    expect(flow.isPaused).toBe(false);
    expect(events).toEqual(['pause', 'resume']);
  });

  it('clamps over-acknowledgement at zero so a client cannot widen its window', () => {
    const { flow } = recorder({ high: 100, low: 10 });
    flow.sent(50);
    flow.ack(1_000_000);
    expect(flow.unacknowledged).toBe(0);
    flow.sent(101);
    expect(flow.isPaused).toBe(true);
  });

  it('ignores zero, negative and non-finite acks', () => {
    const { flow } = recorder({ high: 100, low: 10 });
    flow.sent(50);
    flow.ack(0);
    flow.ack(-20);
    flow.ack(Number.NaN);
    flow.ack(Number.POSITIVE_INFINITY);
    expect(flow.unacknowledged).toBe(50);
  });

  it('has room below the high mark, independent of the pause hysteresis', () => {
    const { flow } = recorder({ high: 100, low: 10 });
    flow.sent(99);
    expect(flow.hasRoom).toBe(true);
    flow.sent(50); // 149: paused, no room
    expect(flow.hasRoom).toBe(false);
    flow.ack(60); // 89: room again, but still paused until below the low mark
    expect(flow.hasRoom).toBe(true);
    expect(flow.isPaused).toBe(true);
  });

  it('reset forgets what is in flight and resumes a paused producer', () => {
    const { flow, events } = recorder({ high: 100, low: 10 });
    flow.sent(500);
    flow.reset();
    expect(flow.unacknowledged).toBe(0);
    expect(flow.isPaused).toBe(false);
    expect(events).toEqual(['pause', 'resume']);
    flow.reset(); // not paused: no extra resume
    expect(events).toEqual(['pause', 'resume']);
  });

  it('refuses watermarks that would oscillate or never resume', () => {
    const noop = () => undefined;
    expect(() => new FlowControl({ high: 10, low: 10, onPause: noop, onResume: noop })).toThrow(/low < high/);
    expect(() => new FlowControl({ high: 10, low: -1, onPause: noop, onResume: noop })).toThrow();
  });
});
