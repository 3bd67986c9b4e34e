// The node-side DNS probe, run for real (bash, printf, dd, od from this
// machine) against a TEST DOUBLE DNS server on loopback TCP that answers the
// way CoreDNS does: length and message in one write, connection kept open.
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { dnsProbeArgv, dnsQuery, parseDnsAnswer, PROBE_NAME } from './dns-probe.js';

const run = promisify(execFile);
const servers: net.Server[] = [];
afterAll(() => servers.forEach((s) => s.close()));

/** An answer to `query` (TCP-framed) with the given rcode and A records. */
function answerTo(query: Buffer, rcode: number, addresses: number[][]): Buffer {
  const message = Buffer.from(query.subarray(2));
  message[2] = 0x81; // response, recursion desired
  message[3] = 0x80 | rcode; // recursion available
  message.writeUInt16BE(addresses.length, 6);
  const records = addresses.map((a) =>
    // Name pointer to the question (offset 12), type A, class IN, TTL 30, 4 bytes.
    Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, ...a]),
  );
  const body = Buffer.concat([message, ...records]);
  return Buffer.concat([Buffer.from([body.length >> 8, body.length & 0xff]), body]);
}

async function dnsServer(reply: (query: Buffer) => Buffer | undefined): Promise<number> {
  const server = net.createServer((socket) => {
    // The query may arrive in several segments: read up to its length prefix.
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
      const answer = reply(received);
      if (answer) socket.write(answer); // and keep the connection open, as CoreDNS does
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

/** The probe's script with the port swapped in (nodes always use 53). */
async function probe(port: number): Promise<{ code: number; stdout: string }> {
  const argv = dnsProbeArgv('127.0.0.1').map((a) => a.replace('/53"', `/${port}"`));
  try {
    const { stdout } = await run(argv[0] as string, argv.slice(1), { timeout: 10_000 });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code?: number; stdout?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '' };
  }
}

describe('DNS probe from a node', () => {
  it('sends a well-formed query for the API Service name, NUL bytes included', async () => {
    let seen: Buffer | undefined;
    const port = await dnsServer((q) => ((seen = q), answerTo(q, 0, [[10, 96, 0, 1]])));
    const result = await probe(port);
    expect(seen).toEqual(dnsQuery(PROBE_NAME));
    expect(parseDnsAnswer(result.stdout)).toEqual({ ok: true, addresses: ['10.96.0.1'] });
  });

  it('names a DNS error and an answer without records', async () => {
    const nx = await dnsServer((q) => answerTo(q, 3, []));
    expect(parseDnsAnswer((await probe(nx)).stdout)).toEqual({ ok: false, reason: 'DNS error NXDOMAIN' });
    const empty = await dnsServer((q) => answerTo(q, 0, []));
    expect(parseDnsAnswer((await probe(empty)).stdout)).toEqual({ ok: false, reason: 'an answer with no A record' });
  });

  it('ends within its deadline when the server accepts and never answers', async () => {
    const silent = await dnsServer(() => undefined);
    const started = Date.now();
    const result = await probe(silent);
    expect(Date.now() - started).toBeLessThan(7_000);
    expect(parseDnsAnswer(result.stdout)).toEqual({
      ok: false,
      reason: 'no answer (the connection gave nothing back)',
    });
  }, 15_000);

  it('exits 2 when nothing listens', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    closed.close();
    expect((await probe(port)).code).toBe(2);
  });
});
