// Jupyter-style authentication: a random token printed once in the start URL
// is exchanged for an HttpOnly, SameSite=Strict cookie. Every HTTP route and
// the websocket upgrade require the cookie (or the token itself).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const AUTH_COOKIE = 'hardening_lab_token';

/** 256 random bits, URL-safe. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Parse a Cookie header into a map; tolerant of junk, never throws. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    try {
      cookies.set(name, decodeURIComponent(raw));
    } catch {
      cookies.set(name, raw);
    }
  }
  return cookies;
}

/** Constant-time comparison so the token cannot be guessed byte by byte. */
export function tokensMatch(expected: string, given: string | undefined | null): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request presents: cookie first, then `?token=`, then `Authorization: Bearer`. */
export function presentedToken(req: IncomingMessage): string | undefined {
  const fromCookie = parseCookies(req.headers.cookie).get(AUTH_COOKIE);
  if (fromCookie) return fromCookie;
  const url = new URL(req.url ?? '/', 'http://localhost');
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  const authz = req.headers.authorization;
  if (authz?.startsWith('Bearer ')) return authz.slice('Bearer '.length);
  return undefined;
}

export function isAuthenticated(req: IncomingMessage, token: string): boolean {
  return tokensMatch(token, presentedToken(req));
}

export function authCookie(token: string): string {
  return `${AUTH_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
}
