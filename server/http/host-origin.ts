// Host and Origin allow-lists.
//
// Host (names only): the DNS-rebinding defence. A hostile page whose name
// resolves to 127.0.0.1 still sends its own name in Host.
//
// Origin (scheme, host AND port, compared exactly): which pages may talk to
// us. http://127.0.0.1:8080 is another origin than http://127.0.0.1:7681 —
// another local user's server, a dev server — even though browsers treat the
// two as the same *site* (cookies, SameSite, Sec-Fetch-Site: same-site).
import type { IncomingMessage } from 'node:http';

export interface AllowList {
  /** Host names (no port) the server answers to. */
  hosts: Set<string>;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]', '::1'];

export function createAllowList(bindHost: string, extraHosts: string[] = []): AllowList {
  const hosts = new Set<string>(LOOPBACK_NAMES);
  if (bindHost && !isWildcardHost(bindHost)) hosts.add(normalizeHostName(bindHost));
  for (const h of extraHosts) hosts.add(normalizeHostName(h));
  return { hosts };
}

export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** "LocalHost:7681" → "localhost"; "[::1]:7681" → "[::1]"; "::1" → "[::1]". */
export function normalizeHostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(0, end + 1) : h;
  }
  if (h.split(':').length > 2) return `[${h}]`; // bare IPv6
  const colon = h.indexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

export function hostAllowed(req: IncomingMessage, allow: AllowList): boolean {
  const host = req.headers.host;
  if (!host) return false;
  return allow.hosts.has(normalizeHostName(host));
}

/**
 * Our own origins: http://<every allowed host name>:<the port we listen on>,
 * serialized as browsers send them (lower case, no :80), plus origins the
 * operator added explicitly (--allow-origin, the Vite dev server).
 */
export function ownOrigins(allow: AllowList, port: number, extraOrigins: readonly string[] = []): Set<string> {
  const origins = new Set<string>();
  for (const name of allow.hosts) {
    if (!name.startsWith('[') && name.includes(':')) continue; // "::1" is kept as "[::1]"
    const url = URL.parse(`http://${name}:${port}`);
    if (url) origins.add(url.origin);
  }
  for (const origin of extraOrigins) origins.add(origin);
  return origins;
}

/**
 * What the request's Origin header says about its sender:
 * - "own": one of our origins exactly;
 * - "absent": no Origin (a non-browser client, or a browser's same-origin GET);
 * - "foreign": anything else, including "null" and other ports of our hosts.
 */
export type OriginVerdict = 'own' | 'absent' | 'foreign';

export function judgeOrigin(req: IncomingMessage, origins: ReadonlySet<string>): OriginVerdict {
  const origin = req.headers.origin;
  if (origin === undefined) return 'absent';
  return origins.has(origin) ? 'own' : 'foreign';
}

/**
 * Fetch metadata: browsers label every request to a trustworthy origin
 * (localhost, 127.0.0.1) with where it came from, even requests that carry
 * no Origin (an <img>, a no-cors fetch). Only our own page's requests are
 * "same-origin"; another port is "same-site". Absent from non-browsers and
 * from plain-http non-loopback names, so absence proves nothing.
 */
export function crossOriginFetch(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  return site !== undefined && site !== 'same-origin';
}

/** Whether binding to this address keeps the server on this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(h);
}
