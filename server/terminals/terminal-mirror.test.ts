// The worker-thread mirror: ordering, replay content, backpressure counts.
import { afterAll, describe, expect, it } from 'vitest';
import { MirrorHost } from './terminal-mirror.js';

const host = new MirrorHost();
afterAll(async () => {
  await host.terminate();
});

describe('TerminalMirror (worker thread)', () => {
  it('snapshots exactly the writes made before it, scrollback included', async () => {
    let parsed = 0;
    const mirror = host.open({ id: 'a', size: { cols: 40, rows: 5 }, scrollback: 100, onParsed: (n) => (parsed += n) });
    let written = 0;
    for (let i = 1; i <= 30; i++) {
      const line = `line-${i}\r\n`;
      written += line.length;
      mirror.write(line);
    }
    const snapshot = mirror.snapshot();
    mirror.write('after-the-snapshot');
    const text = await snapshot;
    expect(text).toContain('line-1\r\n');
    expect(text).toContain('line-30');
    expect(text).not.toContain('after-the-snapshot');
    await mirror.settled();
    expect(parsed).toBe(written + 'after-the-snapshot'.length);
    mirror.dispose();
  });

  it('keeps only the configured scrollback', async () => {
    const mirror = host.open({ id: 'b', size: { cols: 40, rows: 5 }, scrollback: 10, onParsed: () => undefined });
    for (let i = 1; i <= 100; i++) mirror.write(`row-${i}\r\n`);
    const text = await mirror.snapshot();
    expect(text).toContain('row-100');
    expect(text).not.toContain('row-50\r');
    mirror.dispose();
  });

  it('coalesces a large stream into bounded messages and parses it all', async () => {
    let parsed = 0;
    const mirror = host.open({
      id: 'c',
      size: { cols: 80, rows: 24 },
      scrollback: 100,
      onParsed: (n) => (parsed += n),
    });
    const chunk = 'x'.repeat(4_000) + '\r\n';
    for (let i = 0; i < 100; i++) mirror.write(chunk);
    await mirror.settled();
    expect(parsed).toBe(100 * chunk.length);
    mirror.dispose();
  });

  it('resizes in order with writes', async () => {
    const mirror = host.open({ id: 'd', size: { cols: 80, rows: 24 }, scrollback: 100, onParsed: () => undefined });
    mirror.write('before\r\n');
    mirror.resize({ cols: 20, rows: 5 });
    mirror.write('0123456789'.repeat(3));
    const text = await mirror.snapshot();
    // 30 characters on a 20-column screen wrap onto a second row.
    expect(text).toContain('before');
    expect(text).toMatch(/01234567890123456789[^]*0123456789/);
    mirror.dispose();
  });

  it('answers with an empty snapshot once disposed', async () => {
    const mirror = host.open({ id: 'e', size: { cols: 80, rows: 24 }, scrollback: 100, onParsed: () => undefined });
    mirror.write('secret-ish');
    mirror.dispose();
    expect(await mirror.snapshot()).toBe('');
  });
});
