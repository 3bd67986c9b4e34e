// A real DNS question to the cluster's DNS Service, asked from a node: one
// query over TCP through the Service's virtual IP, so an answer proves
// kube-proxy's rules, the pod network and CoreDNS's view of the API at once.
// Nodes have bash, dd and od but no DNS client (kind's image ships none), so
// the query is built here and written with bash's /dev/tcp.

/** The name every cluster's DNS must answer: the API server's Service. */
export const PROBE_NAME = 'kubernetes.default.svc.cluster.local';

/** A DNS query for an A record, framed for TCP (two-byte length first), as bytes. */
export function dnsQuery(name: string, id = 0x4c48): Buffer {
  const labels = name.split('.').filter(Boolean);
  const question = Buffer.concat([
    ...labels.map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'ascii')])),
    Buffer.from([0, 0, 1, 0, 1]), // root, QTYPE A, QCLASS IN
  ]);
  // ID, flags (recursion desired), one question, no answers/authority/additional.
  const header = Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  const message = Buffer.concat([header, question]);
  return Buffer.concat([Buffer.from([message.length >> 8, message.length & 0xff]), message]);
}

/** The query as printf escapes (`\xHH` each), for bash's printf builtin. */
export function printfEscapes(bytes: Buffer): string {
  return [...bytes].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
}

/**
 * Runs on a node: connect to the Service IP on 53/TCP, send the query, read
 * one answer (dd returns after one read; CoreDNS writes length and message in
 * one write), print it as hex. Exit 2: no connection.
 */
export function dnsProbeArgv(serviceIp: string, name: string = PROBE_NAME): string[] {
  return [
    'timeout',
    '6',
    'bash',
    '-c',
    'exec 3<>"/dev/tcp/$1/53" || exit 2; printf "$2" >&3; timeout 4 dd bs=4096 count=1 <&3 2>/dev/null | od -An -v -tx1',
    'hardening-lab-dns-probe',
    serviceIp,
    printfEscapes(dnsQuery(name)),
  ];
}

export type DnsAnswer = { ok: true; addresses: string[] } | { ok: false; reason: string };

const RCODES: Record<number, string> = {
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
};

/** Reads od's hex dump of a TCP DNS answer: the A records, or why there are none. */
export function parseDnsAnswer(hexDump: string): DnsAnswer {
  const bytes = Buffer.from(hexDump.replace(/\s+/g, ''), 'hex');
  if (bytes.length === 0) return { ok: false, reason: 'no answer (the connection gave nothing back)' };
  if (bytes.length < 14) return { ok: false, reason: `an answer too short to read (${bytes.length} bytes)` };
  const message = bytes.subarray(2);
  const rcode = (message[3] ?? 0) & 0x0f;
  if (rcode !== 0) return { ok: false, reason: `DNS error ${RCODES[rcode] ?? rcode}` };
  const answers = message.readUInt16BE(6);
  // Skip the header and the question (name, type, class) to reach the answers.
  let offset = 12;
  offset = skipName(message, offset) + 4;
  const addresses: string[] = [];
  for (let i = 0; i < answers && offset < message.length; i++) {
    offset = skipName(message, offset);
    if (offset + 10 > message.length) break;
    const type = message.readUInt16BE(offset);
    const length = message.readUInt16BE(offset + 8);
    const data = message.subarray(offset + 10, offset + 10 + length);
    if (type === 1 && data.length === 4) addresses.push([...data].join('.'));
    offset += 10 + length;
  }
  return addresses.length > 0 ? { ok: true, addresses } : { ok: false, reason: 'an answer with no A record' };
}

/** Past a (possibly compressed) name. */
function skipName(message: Buffer, start: number): number {
  let offset = start;
  while (offset < message.length) {
    const length = message[offset] ?? 0;
    if (length === 0) return offset + 1;
    if ((length & 0xc0) === 0xc0) return offset + 2; // a pointer ends the name
    offset += length + 1;
  }
  return offset;
}
