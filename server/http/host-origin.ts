// Host and Origin allow-lists. The Host check defeats DNS rebinding (a
// hostile page whose name resolves to 127.0.0.1); the Origin check stops
// other sites' pages from opening our websocket with the learner's cookie.
import type { IncomingMessage } from 'node:http';

export interface AllowList {
  /** Host names (no port) the server answers to. */
  hosts: Set<string>;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]', '::1'];

export function createAllowList(bindHost: string, extraHosts: string[] = []): AllowList {
  const hosts = new Set<string>(LOOPBACK_NAMES);
  if (bindHost && bindHost !== '0.0.0.0' && bindHost !== '::') hosts.add(normalizeHostName(bindHost));
  for (const h of extraHosts) hosts.add(normalizeHostName(h));
  return { hosts };
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
 * Websocket/API Origin check: the Origin must be http(s) on an allowed host.
 * A missing Origin is allowed only for non-browser clients (the CLI, tests)
 * that still present the token; browsers always send Origin on websockets.
 */
export function originAllowed(req: IncomingMessage, allow: AllowList): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (origin === 'null') return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  return allow.hosts.has(normalizeHostName(url.host));
}

/** Whether binding to this address keeps the server on this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(h);
}
